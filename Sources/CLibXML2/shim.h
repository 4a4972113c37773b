#ifndef HEDUI_CLIBXML2_SHIM_H
#define HEDUI_CLIBXML2_SHIM_H

/*
 * libxml2 for Swift (hedui).
 *
 * Debian's libxml2 is built with ICU; its <libxml/encoding.h> then includes
 * <unicode/ucnv.h>, whose types clash with Foundation's private ICU module
 * ("'UErrorCode' has different definitions") in any Swift module importing
 * both. We never use the ICU converter API directly, so hide it.
 */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/dict.h>
#include <libxml/globals.h>

/* xmlFree is a global function-pointer variable: not importable in Swift 6. */
static inline void hedui_xml_free(void *p) { xmlFree(p); }

/* xmlStructuredError / xmlStructuredErrorContext are thread-local macros. */
static inline xmlStructuredErrorFunc hedui_xml_get_structured_error(void) {
    return xmlStructuredError;
}
static inline void *hedui_xml_get_structured_error_context(void) {
    return xmlStructuredErrorContext;
}

/* xmlParserVersion is a macro Swift cannot import. */
static inline const char *hedui_xml_parser_version(void) { return LIBXML_DOTTED_VERSION; }

/* Line of the current input of a parser context (0 if none). */
static inline int hedui_xml_ctxt_line(xmlParserCtxtPtr ctxt) {
    return (ctxt != NULL && ctxt->input != NULL) ? ctxt->input->line : 0;
}

/*
 * Called from a startElementNs callback: 1 if the start tag is properly terminated
 * ('>' or '/>' follows). When it is not (input ends inside the start tag, or another
 * tag follows, as in "<a <b/>"), libxml2 still reports the element and raises the
 * error afterwards (xmlParseElementStart: "Couldn't find end of Start Tag").
 * Input buffers are NUL-terminated, so reading cur[1] after a '/' is safe.
 */
static inline int hedui_xml_start_tag_complete(xmlParserCtxtPtr ctxt) {
    if (ctxt == NULL || ctxt->input == NULL || ctxt->input->cur == NULL) return 0;
    const xmlChar *cur = ctxt->input->cur;
    return cur[0] == '>' || (cur[0] == '/' && cur[1] == '>');
}

/* Soft stop usable from any SAX callback: no further callbacks are made. */
static inline void hedui_xml_disable_sax(xmlParserCtxtPtr ctxt) {
    if (ctxt != NULL) ctxt->disableSAX = 1;
}

#endif
