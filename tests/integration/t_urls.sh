# shellcheck shell=bash
#
# t_urls.sh: URLs pasted from application drivers connect for real. The
# driver's own parameters are dropped with one note on stderr naming them,
# libpq's are honoured, a typo of a libpq keyword is a usage error, and the
# password shows nowhere.

test_urls_prisma_pooler_params_connect_through_pgbouncer() {
	require_pgpulse
	run_cmd "$PGPULSE" check --json "postgresql://$APP_USER:$APP_PASSWORD@127.0.0.1:$BOUNCER_PORT/$APP_DB?pgbouncer=true&connection_limit=1"
	assert_eq 0 "$status" "Prisma's URL connects (stderr: $stderr)"
	assert_json "$output" '.status == "ok"' "status ok"
	assert_json "$output" '.target | (contains("pgbouncer") or contains("connection_limit")) | not' "dropped parameters are not in the target"
	assert_contains "$stderr" "note: ignored driver parameters libpq does not use: pgbouncer (Prisma), connection_limit (Prisma)" "one note naming them"
	assert_eq 1 "$(printf '%s\n' "$stderr" | grep -c note:)" "one note"
	assert_not_contains "$output$stderr" "$APP_PASSWORD" "no password"
}

test_urls_asyncpg_params_keep_libpq_sslmode() {
	require_pgpulse
	run_cmd "$PGPULSE" check --json "postgresql+asyncpg://$APP_USER:$APP_PASSWORD@127.0.0.1:$PG_PORT/$APP_DB?prepared_statement_cache_size=0&statement_cache_size=0&ssl=require"
	assert_eq 0 "$status" "asyncpg's URL connects (stderr: $stderr)"
	assert_json "$output" '.tls.protocol == "TLSv1.3"' "ssl=require is honoured"
	assert_contains "$stderr" "prepared_statement_cache_size" "note names the SQLAlchemy parameter"
	assert_contains "$stderr" "statement_cache_size (asyncpg" "note names asyncpg's"
}

test_urls_jdbc_user_and_password_parameters() {
	require_pgpulse
	run_cmd "$PGPULSE" check --json "jdbc:postgresql://127.0.0.1:$PG_PORT/$APP_DB?user=$APP_USER&password=$APP_PASSWORD&sslmode=verify-full&sslrootcert=$PG_CA&ApplicationName=billing"
	assert_eq 0 "$status" "the JDBC URL connects (stderr: $stderr)"
	assert_json "$output" '.target | startswith("postgresql://'"$APP_USER"':***@127.0.0.1:'"$PG_PORT"'/'"$APP_DB"'?")' "shown as a masked URI"
	assert_contains "$stderr" "ApplicationName (JDBC)" "JDBC's parameter named"
	assert_not_contains "$output$stderr" "$APP_PASSWORD" "no password"
}

test_urls_libpq_typo_is_a_usage_error() {
	require_pgpulse
	run_cmd "$PGPULSE" check "postgresql://$APP_USER:$APP_PASSWORD@127.0.0.1:$PG_PORT/$APP_DB?sslmdoe=require&pgbouncer=true"
	assert_eq 3 "$status" "usage error"
	assert_match '^PGPULSE UNKNOWN - .*unknown parameter "sslmdoe" \(did you mean sslmode\?\)' "$output" "Nagios line with the suggestion"
	assert_not_contains "$output$stderr" "$APP_PASSWORD" "no password"
	assert_eq 0 "$(pgpulse_open_count)" "nothing connected"
}
