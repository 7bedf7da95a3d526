/*
 * fuzz_pooler: libFuzzer harness for pooler.c, the parser of what a
 * (possibly hostile) PgBouncer admin console answers. The input is up to
 * eight sections split by form feeds ('\f'): SHOW VERSION, CONFIG,
 * DATABASES, POOLS, CLIENTS, SERVERS, USERS, then pg_stat_activity rows
 * (pid, client_addr, client_port, state, application_name). In each, the
 * first line holds the column names, the others the rows; cells are split
 * by tabs and "\N" is SQL NULL. Everything downstream runs too: finish
 * (ages), join, holders, culprit, queue verdict, JSON, Supavisor limits.
 *
 * Build and run (seeds in tests/fuzz/corpus/pooler/):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *     tests/fuzz/fuzz_pooler.c src/pooler.c src/util.c -ljansson -lm -o fuzz_pooler
 *   ./fuzz_pooler -max_total_time=60 tests/fuzz/corpus/pooler/
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pooler.h"
#include "util.h"

#define FUZZ_MAX_COLS 40
#define FUZZ_MAX_ROWS 200

struct fuzz_table {
	const char *names[FUZZ_MAX_COLS];
	const char *cells[FUZZ_MAX_COLS * FUZZ_MAX_ROWS];
	struct pooler_table t;
};

/* Splits s (modified in place) into a table; returns false when empty. */
static bool fuzz_table(char *s, struct fuzz_table *ft)
{
	char *line, *save_line = NULL;
	int r = -1;

	memset(ft, 0, sizeof(*ft));
	for (line = strtok_r(s, "\n", &save_line); line && r < FUZZ_MAX_ROWS;
	     line = strtok_r(NULL, "\n", &save_line), r++) {
		char *cell = line, *tab;
		int c = 0;

		do {
			tab = strchr(cell, '\t');
			if (tab)
				*tab = '\0';
			if (r < 0) {
				if (c < FUZZ_MAX_COLS)
					ft->names[ft->t.ncols++] = cell;
			} else if (c < ft->t.ncols) {
				ft->cells[r * ft->t.ncols + c] = strcmp(cell, "\\N") ? cell : NULL;
			}
			c++;
			cell = tab ? tab + 1 : NULL;
		} while (cell);
	}
	if (ft->t.ncols == 0)
		return false;
	ft->t.nrows = r < 0 ? 0 : r;
	ft->t.names = ft->names;
	ft->t.cells = ft->cells;
	return true;
}

static int fuzz_backends(char *s, struct pooler_backend *b, int max)
{
	struct fuzz_table *ft = calloc(1, sizeof(*ft));
	int n = 0;

	if (fuzz_table(s, ft))
		for (int r = 0; r < ft->t.nrows && n < max; r++, n++) {
			const char *const *row = &ft->cells[r * ft->t.ncols];
			memset(&b[n], 0, sizeof(b[n]));
			b[n].pid = row[0] ? atoi(row[0]) : 0;
			if (ft->t.ncols > 1 && row[1])
				util_strlcpy(b[n].client_addr, row[1], sizeof(b[n].client_addr));
			b[n].client_port = ft->t.ncols > 2 && row[2] ? atoi(row[2]) : 0;
			if (ft->t.ncols > 3 && row[3])
				util_strlcpy(b[n].state, row[3], sizeof(b[n].state));
			if (ft->t.ncols > 4 && row[4])
				util_strlcpy(b[n].application_name, row[4],
					     sizeof(b[n].application_name));
			b[n].backend_age_s = b[n].xact_age_s = NAN;
		}
	free(ft);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pooler_backend backends[64];
	char *buf = malloc(size + 1), *sections[8] = { 0 }, *p;
	struct fuzz_table *ft = calloc(1, sizeof(*ft));
	struct pooler_view v;
	struct pooler_join joins[64];
	struct pooler_holder top[POOLER_MAX_TOP_CLIENTS];
	struct pooler_culprit culprit;
	struct pooler_queue q;
	int ns = 0, nb = 0;
	bool session;
	json_t *j;

	memcpy(buf, data, size);
	buf[size] = '\0';
	pooler_supavisor_limit(buf, &session);
	/* Sections split by form feeds. */
	for (p = buf; p && ns < 8; ns++) {
		sections[ns] = p;
		p = strchr(p, '\f');
		if (p)
			*p++ = '\0';
	}
	pooler_view_init(&v);
	v.admin = POOLER_ADMIN_OK;
	pooler_parse_server_version(&v, sections[0]);
	for (int i = 0; i < ns && i < POOLER_SHOW_COUNT; i++)
		if (fuzz_table(sections[i], ft))
			pooler_parse_show(&v, (enum pooler_show)i, &ft->t);
	if (ns == 8)
		nb = fuzz_backends(sections[7], backends, 64);
	pooler_view_finish(&v, (int)(size % 65536), (double)(size % 7), 1.8e9);

	/* Whatever came in, the derived data must hold together. */
	int nj = pooler_join_clients(&v, backends, nb, joins, 64);
	for (int i = 0; i < nj; i++)
		if (joins[i].backend && !joins[i].server)
			abort();
	int nt = pooler_top_clients(&v, backends, nb, top, POOLER_MAX_TOP_CLIENTS);
	for (int i = 1; i < nt; i++)
		if (top[i].count > top[i - 1].count)
			abort();
	const char *db = v.npools > 0 ? v.pools[0].database : "appdb";
	const char *user = v.npools > 0 ? v.pools[0].user : "app";
	pooler_queue_verdict(&v, db, user, &q);
	pooler_culprit(&v, db, user, backends, nb, size % 2 == 0, 80, &culprit);
	if (culprit.found && strlen(culprit.text) == 0)
		abort();
	for (int i = 0; i < nb; i++)
		pooler_backend_owner(&v, &backends[i]);
	/* Every string must be valid UTF-8: jansson refuses anything else. */
	j = pooler_json(&v, backends, nb);
	if (v.kind != POOLER_KIND_NONE && json_is_null(j))
		abort();
	json_decref(j);
	j = pooler_culprit_json(&culprit);
	if (culprit.found && json_is_null(j))
		abort();
	json_decref(j);
	pooler_view_free(&v);
	free(ft);
	free(buf);
	return 0;
}
