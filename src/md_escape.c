/*
 * md_escape.c: the escaping of text from data, the injection boundary of
 * every report (see md_escape.h).  md_escape makes text literal in GFM,
 * markup_text in HTML and SVG; both replace control characters and invalid
 * UTF-8 the same way, so no byte of data can become markup in either.
 */
#include "md_escape.h"

#include <string.h>

/* ---- Markdown ------------------------------------------------------------ */

static bool ascii_punct(unsigned char c)
{
	return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) ||
	       (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

static bool ascii_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* A character inside a word for emphasis: not the edge, a space or ASCII
 * punctuation (an "_" between two of them can neither open nor close). */
static bool word_char(const unsigned char *p, size_t len, size_t i)
{
	return i < len && p[i] > 0x20 && p[i] != 0x7f && !ascii_punct(p[i]);
}

/* Does p[i..len) start an entity or numeric character reference ("&amp;",
 * "&#64;")?  A lone "&", as in "R&D", is text. */
static bool entity_at(const unsigned char *p, size_t len, size_t i)
{
	size_t j = i + 1;

	while (j < len && (ascii_alnum(p[j]) || p[j] == '#'))
		j++;
	return j > i + 1 && j < len && p[j] == ';';
}

/* Is p[0..len) one character repeated (spaces aside): "---", "= = ="? */
static bool same_run(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 1; i < len; i++)
		if (p[i] != p[0] && p[i] != ' ' && p[i] != '\t')
			return false;
	return true;
}

/* Does s[i] need a backslash where it stands?  i == 0 is where the
 * text begins (it may start a line, so block markers count); digits: how
 * many ASCII digits open the text. */
static bool needs_backslash(const unsigned char *p, size_t len, size_t i, size_t digits)
{
	unsigned char c = p[i];

	switch (c) {
	case '\\': case '`': case '*': case '[': case '<': case '|': case '~': case '$':
		return true;	/* code, emphasis, links, HTML, tables, strikethrough, math */
	case '_':
		return !(i > 0 && word_char(p, len, i - 1) && word_char(p, len, i + 1));
	case '&':
		return entity_at(p, len, i);
	case '#':
		/* a heading, or the closing "#"s at the end of one */
		return i == 0 || ((p[i - 1] == ' ' || p[i - 1] == '\t') && same_run(p + i, len - i));
	case '>':
		return i == 0;	/* a block quote */
	case '-': case '+': case '=':
		/* a list item ("- x"), a setext underline or a rule ("---"); "-3" is text */
		return i == 0 && (len == 1 || p[1] == ' ' || p[1] == '\t' || same_run(p, len));
	case '.': case ')':
		/* "12. " or "3)" opening an ordered list */
		return digits == i && digits >= 1 && digits <= 9 &&
		       (i + 1 == len || p[i + 1] == ' ' || p[i + 1] == '\t');
	case ':':
		return i + 2 < len && p[i + 1] == '/' && p[i + 2] == '/';	/* autolink scheme */
	default:
		return false;
	}
}

/* Markdown-escape s[0..len) into out (see md_escape.h). */
void md_escape(struct strbuf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, digits = 0;	/* s[0..digits) is all ASCII digits */

	while (i < len) {
		size_t run = utf8_valid_prefix(p + i, len - i), end = i + run;

		for (; i < end; i++) {
			unsigned char c = p[i];

			if (c < 0x20 || c == 0x7f) {
				sb_putc(out, ' ');
				continue;
			}
			if (needs_backslash(p, len, i, digits) ||
			    (c == '.' && i >= 3 && (p[i - 1] | 0x20) == 'w' &&
			     (p[i - 2] | 0x20) == 'w' && (p[i - 3] | 0x20) == 'w'))
				sb_putc(out, '\\');	/* the last: a "www." autolink */
			sb_putc(out, (char)c);
			/* "@name" pings on a git host and "a@b.c" becomes a mailto
			 * link; a backslash stops neither, an empty comment both */
			if (c == '@' && i + 1 < len && ascii_alnum(p[i + 1]))
				sb_puts(out, "<!-- -->");
			if (digits == i && c >= '0' && c <= '9')
				digits++;
		}
		if (i < len) {
			sb_puts(out, "\xEF\xBF\xBD");	/* U+FFFD for an invalid byte */
			i++;
		}
	}
}

/* Contract in md_escape.h. */
void md_text(struct strbuf *out, const char *s)
{
	if (s)
		md_escape(out, s, strlen(s));
}

/* ---- HTML and SVG -------------------------------------------------------- */

/* XML-escape s (see md_escape.h). */
void markup_text(struct strbuf *o, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = s ? strlen(s) : 0, i = 0;

	while (i < len) {
		size_t end = i + utf8_valid_prefix(p + i, len - i);

		for (; i < end; i++) {
			switch (p[i]) {
			case '&':
				sb_puts(o, "&amp;");
				break;
			case '<':
				sb_puts(o, "&lt;");
				break;
			case '>':
				sb_puts(o, "&gt;");
				break;
			case '"':
				sb_puts(o, "&quot;");
				break;
			case '\'':
				sb_puts(o, "&#39;");
				break;
			default:
				sb_putc(o, p[i] < 0x20 || p[i] == 0x7f ? ' ' : (char)p[i]);
			}
		}
		if (i < len) {
			sb_puts(o, "\xEF\xBF\xBD");
			i++;
		}
	}
}
