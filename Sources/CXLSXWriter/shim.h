#ifndef HEDUI_CXLSXWRITER_SHIM_H
#define HEDUI_CXLSXWRITER_SHIM_H

/*
 * libxlsxwriter for Swift (hedui reports): Debian's libxlsxwriter-dev, found with
 * pkg-config ("xlsxwriter"). Only Sources/HeduiReport/XLSX/XLSXLibrary.swift calls it.
 */
#include <xlsxwriter.h>

/* The library's version as a C string (LXW_VERSION is a macro). */
static inline const char *hedui_xlsx_version(void) { return LXW_VERSION; }

#endif
