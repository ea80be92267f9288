/*
 * hint.h: "did you mean" for a mistyped name.  closest_name picks, among
 * the names a user could have meant, the one a typo most likely came from;
 * messages append it as " (did you mean 'NAME'?)".  Nothing is allocated:
 * the result is one of the names passed in.
 */
#ifndef RECON_HINT_H
#define RECON_HINT_H

#include <stddef.h>

/* The name in names[0..n) closest to word, or NULL when none is close.
 * Close means at most 2 edits apart (insert, delete, substitute, or swap
 * two neighbouring characters; letters compared without case), fewer
 * edits than word has characters, or one of the two a prefix of the other
 * at least 3 characters long.  Fewest edits wins; among equals, the first
 * in names[].  A name equal to word is not a hint (NULL).  NULL entries of
 * names[] are skipped. */
const char *closest_name(const char *word, const char *const *names, size_t n);

#endif
