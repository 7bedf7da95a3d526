/*
 * Unit tests for names: NAME=TARGET against conninfo keywords and URIs,
 * the service file's sections, and libpq's order of service files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "names.h"

static void test_names_split_name_before_uri(void **state)
{
	char name[NAMES_MAX_LEN];
	const char *target;

	assert_true(names_split("direct=postgresql://app:pw@db:5432/app", name, sizeof(name),
				&target));
	assert_string_equal(name, "direct");
	assert_string_equal(target, "postgresql://app:pw@db:5432/app");
	assert_true(names_split("eu-pooler.6543=host=db port=6543", name, sizeof(name), &target));
	assert_string_equal(name, "eu-pooler.6543");
	assert_string_equal(target, "host=db port=6543");
}

static void test_names_split_leaves_conninfo_and_uris_alone(void **state)
{
	char name[NAMES_MAX_LEN];
	const char *target = NULL;

	assert_false(names_split("host=db port=5432", name, sizeof(name), &target));
	assert_false(names_split("service=prod", name, sizeof(name), &target));
	assert_false(names_split("dbname=app", name, sizeof(name), &target));
	assert_false(names_split("postgresql://u@h/db?sslmode=require", name, sizeof(name),
				 &target));
	assert_false(names_split("postgresql+psycopg2://u@h/db?a=b", name, sizeof(name), &target));
	assert_false(names_split("no spaces=host=db", name, sizeof(name), &target));
	assert_false(names_split("=host=db", name, sizeof(name), &target));
	assert_false(names_split("-x=host=db", name, sizeof(name), &target));
	assert_null(target);
}

static void test_names_split_rejects_long_names(void **state)
{
	char arg[200], name[NAMES_MAX_LEN];
	const char *target;

	memset(arg, 'a', 100);
	strcpy(arg + 100, "=host=db");
	assert_false(names_split(arg, name, sizeof(name), &target));
}

static void test_names_service_file_sections(void **state)
{
	struct names_list l = { 0 };

	names_parse_service_file("# fleet\n"
				 "[prod]\nhost=db1\nport=5432\n\n"
				 "  [ replica-1 ]  \nhost=db2\n"
				 "; [commented] is not a section\n"
				 "[prod]\nhost=dup\n"
				 "[]\n[pooler]",
				 &l);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0], "prod");
	assert_string_equal(l.v[1], " replica-1 ");
	assert_string_equal(l.v[2], "pooler");
	names_list_free(&l);
	assert_int_equal(l.n, 0);
}

static void test_names_service_paths_in_libpq_order(void **state)
{
	char p[2][4096];

	assert_int_equal(names_service_paths(NULL, "/home/u", NULL, "/etc/pg", p, sizeof(p[0])), 2);
	assert_string_equal(p[0], "/home/u/.pg_service.conf");
	assert_string_equal(p[1], "/etc/pg/pg_service.conf");
	assert_int_equal(names_service_paths("/x/svc.conf", "/home/u", "/sys", "/etc/pg", p,
					     sizeof(p[0])),
			 2);
	assert_string_equal(p[0], "/x/svc.conf");
	assert_string_equal(p[1], "/sys/pg_service.conf");
	assert_int_equal(names_service_paths(NULL, NULL, NULL, NULL, p, sizeof(p[0])), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_split_name_before_uri),
		cmocka_unit_test(test_names_split_leaves_conninfo_and_uris_alone),
		cmocka_unit_test(test_names_split_rejects_long_names),
		cmocka_unit_test(test_names_service_file_sections),
		cmocka_unit_test(test_names_service_paths_in_libpq_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
