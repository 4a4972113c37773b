#ifndef HEDUI_CISAL_SHIM_H
#define HEDUI_CISAL_SHIM_H

#include <isa-l/igzip_lib.h>

#endif
