/*
 * libFuzzer harness for introspection parsing: the input is three result
 * sets (settings, states, holders) of text cells, as a hostile server or
 * pooler could answer; inspect_parse must not crash, overflow (UBSan) or
 * let a NaN or a negative count through.
 *
 * Input: cells separated by '\t', rows by '\n', result sets by '\f'.
 */
#include <libpq-fe.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect.h"

static const int fuzz_ncols[3] = { 3, 2, 10 };

static PGresult *fuzz_result(const char *text, size_t n, int ncols)
{
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	PGresAttDesc attrs[10];
	size_t i = 0;
	int row = 0;

	memset(attrs, 0, sizeof(attrs));
	for (int c = 0; c < ncols; c++)
		attrs[c].name = (char *)"c";
	PQsetResultAttrs(res, ncols, attrs);
	while (i < n && row < 1000) {
		size_t end = i;
		int col = 0;

		while (end < n && text[end] != '\n')
			end++;
		for (size_t c = i; c <= end && col < ncols; c++) {
			if (c == end || text[c] == '\t') {
				PQsetvalue(res, row, col++, (char *)text + i, (int)(c - i));
				i = c + 1;
			}
		}
		while (col < ncols)
			PQsetvalue(res, row, col++, (char *)"", 0);
		row++;
		i = end + 1;
	}
	return res;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	PGresult *res[3];
	struct inspect_info info;
	size_t start = 0;

	for (int k = 0; k < 3; k++) {
		size_t end = start;

		while (end < size && text[end] != '\f')
			end++;
		res[k] = fuzz_result(text + (start < size ? start : size),
				     (start < size ? end : size) - (start < size ? start : size),
				     fuzz_ncols[k]);
		start = end + 1;
	}
	if (inspect_parse(res, 3, &info)) {
		if (info.in_use < 0 || info.idle_in_xact < 0 || isnan(info.oldest_connection_s) ||
		    isnan(info.longest_idle_xact_s) || info.oldest_connection_s < 0)
			abort();
		for (int s = 0; s < INSPECT_STATE_COUNT; s++)
			if (info.by_state[s] < 0)
				abort();
	}
	for (int k = 0; k < 3; k++)
		PQclear(res[k]);
	return 0;
}
