/*
 * libFuzzer harness for text: the terminal form of any bytes holds no
 * control character (ESC included) and no C1 or bidi control; repaired
 * text is valid UTF-8; cuts never end inside a character.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *t, *r, cut[64];

	memcpy(s, data, size);
	s[size] = '\0';
	for (int utf8 = 0; utf8 < 2; utf8++) {
		t = text_terminal_dup(s, utf8);
		for (const unsigned char *p = (const unsigned char *)t; *p; p++)
			if (*p < 0x20 || *p == 0x7F || (!utf8 && *p >= 0x80))
				abort();
		if (!text_utf8_valid(t, strlen(t)) || strstr(t, "\xC2\x9B") ||
		    strstr(t, "\xE2\x80\xAE"))
			abort();
		free(t);
	}
	r = text_utf8_repair(s);
	if (!text_utf8_valid(r, strlen(r)))
		abort();
	for (size_t n = 1; n <= sizeof(cut) && n <= strlen(r) + 1; n += 7) {
		text_copy(cut, r, n);
		if (strlen(cut) >= n || !text_utf8_valid(cut, strlen(cut)))
			abort();
	}
	free(r);
	free(s);
	return 0;
}
