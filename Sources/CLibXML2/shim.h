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
 * ('>' or '/>' follows). When input ends inside a start tag (truncated document, at
 * terminate), libxml2 still reports the element and raises the error afterwards.
 * Input buffers are NUL-terminated, so reading cur[1] after a '/' is safe.
 */
static inline int hedui_xml_start_tag_complete(xmlParserCtxtPtr ctxt) {
    if (ctxt == NULL || ctxt->input == NULL || ctxt->input->cur == NULL) return 0;
    const xmlChar *cur = ctxt->input->cur;
    return cur[0] == '>' || (cur[0] == '/' && cur[1] == '>');
}

/*
 * 1 when the push parser has more than 4 KB of parsed input at the front of its buffer, which
 * its next xmlParseChunk call removes by moving the unparsed rest to the front. Called before
 * pushing a chunk: an empty xmlParseChunk call then moves only the unparsed tail of the
 * previous chunk, instead of that tail plus the whole new chunk. Only for input read as
 * UTF-8 without a converter (a converter has its own buffering of raw bytes) and after the
 * document start (the encoding is then settled).
 */
static inline int hedui_xml_shrink_pending(xmlParserCtxtPtr ctxt) {
    if (ctxt == NULL || ctxt->input == NULL || ctxt->input->buf == NULL) return 0;
    if (ctxt->input->buf->encoder != NULL) return 0;
    if (ctxt->instate == XML_PARSER_START || ctxt->instate == XML_PARSER_EOF) return 0;
    return ctxt->input->cur - ctxt->input->base > 4096;
}

/* Soft stop usable from any SAX callback: no further callbacks are made. */
static inline void hedui_xml_disable_sax(xmlParserCtxtPtr ctxt) {
    if (ctxt != NULL) ctxt->disableSAX = 1;
}

#endif
