/* A tiny program for zswaplab's lackey example: builds a 2 MiB table, then re-reads a hot part. */
#include <stdlib.h>
#include <string.h>
int main(void) {
    size_t n = 512 * 4096;
    char *a = malloc(n);
    for (size_t i = 0; i < n; i += 1024) a[i] = (char)(i >> 10);
    long s = 0;
    for (int r = 0; r < 4; r++)
        for (size_t i = 0; i < n / 8; i += 256) s += a[i];
    for (size_t i = n / 2; i < n; i += 512) a[i] = (char)s;
    free(a);
    return (int)(s & 1);
}
