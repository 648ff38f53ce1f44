/* SPDX-License-Identifier: MIT */
/* lib/config/suggest.c - "did you mean": the closest name by edit distance. */
#include <string.h>

#include "internal.h"

#define MAXLEN 32

static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;

    return m < c ? m : c;
}

/* Optimal string alignment distance (a swap of two letters costs 1). */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t d[MAXLEN + 1][MAXLEN + 1];

    if (la > MAXLEN || lb > MAXLEN)
        return (size_t)-1;
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;

            d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < d[i][j])
                d[i][j] = d[i - 2][j - 2] + 1;
        }
    return d[la][lb];
}

const char *xb__suggest(const char *word, const char *const *cands, size_t n)
{
    size_t best = (size_t)-1, limit = strlen(word) < 5 ? 1 : 2;
    const char *found = NULL;

    for (size_t i = 0; i < n; i++) {
        size_t dist = distance(word, cands[i]);

        if (dist < best) {
            best = dist;
            found = cands[i];
        }
    }
    return best <= limit && best < strlen(word) ? found : NULL;
}
