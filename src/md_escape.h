/*
 * md_escape.h: the escaping of text from data, the one boundary between
 * what a check reads (ids, titles, group and sample values, messages,
 * column names) and the markup of a report.  Every renderer that puts text
 * from data into Markdown calls md_escape or md_text; every piece of text
 * recon puts into HTML or SVG goes through markup_text.  Each appends to a
 * strbuf owned by the caller and allocates nothing else.
 */
#ifndef RECON_MD_ESCAPE_H
#define RECON_MD_ESCAPE_H

#include "util.h"

/* Markdown-escape text so it shows literally, also inside a table cell, a
 * heading or a list item, and on a git host that autolinks and pings:
 * a backslash goes only where GFM would read markup, so plain text (R&D,
 * 4038.83, -3, snake_case, (x)) stays as written for grep and git diff.
 * Always escaped: \ ` * [ < | ~ $.  Where they would mean something: "_"
 * unless inside a word, "&" that starts an entity ("&amp;"), ":" of "://"
 * and "." of "www." (autolinks), and at the start a "#", ">", a list
 * marker ("- ", "+ ", "12. ", "3) ") or a rule ("---"), and "#"s closing a
 * heading.  "@" before a letter or digit is followed by an empty HTML
 * comment, the one thing that stops both a mention and a mailto autolink
 * on the host.  Newlines, tabs and other control characters become spaces;
 * invalid UTF-8 becomes U+FFFD. */
void md_escape(struct strbuf *out, const char *s, size_t len);

/* md_escape of the NUL-terminated s; NULL appends nothing. */
void md_text(struct strbuf *out, const char *s);

/* Append s escaped as text for HTML or XML (SVG): & < > " ' become
 * entities, control characters a space, invalid UTF-8 U+FFFD.  The one
 * escape for text recon itself puts into markup (charts, page title). */
void markup_text(struct strbuf *o, const char *s);

#endif
