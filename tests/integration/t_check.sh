# shellcheck shell=bash
#
# t_check.sh: `pgpulse check` against real servers. Every test asserts on
# the JSON of DESIGN.md's public interface (or the Nagios line) and the
# exit status; run.sh checks afterwards that no pgpulse connection is left.

app_uri() {
	echo "postgresql://app:$APP_PASSWORD@127.0.0.1:$PG_PORT/appdb${1:+?$1}"
}

test_check_tls_ok_reports_everything() {
	require_pgpulse
	run_cmd "$PGPULSE" check --json "$(app_uri "sslmode=verify-full&sslrootcert=$PG_CA")"
	assert_eq 0 "$status" "a healthy server checks OK (stderr: $stderr)"
	local j=$output
	assert_json "$j" '.status == "ok"' "status ok"
	assert_json "$j" '.target == "postgresql://app:***@127.0.0.1:'"$PG_PORT"'/appdb?sslmode=verify-full&sslrootcert='"$PG_CA"'" or (.target | startswith("postgresql://app:***@127.0.0.1:'"$PG_PORT"'/appdb?"))' "target masked"
	assert_not_contains "$j" "$APP_PASSWORD" "no password in the JSON"
	assert_json "$j" '[.phases_ms[]] | all(type == "number" and . >= 0)' "every phase timed"
	assert_json "$j" '.phases_ms.dns == 0' "no DNS for an IP literal"
	assert_json "$j" '.phases_ms.tls > 0' "TLS took time"
	assert_json "$j" '.phases_ms.total >= (.phases_ms.tcp + .phases_ms.tls + .phases_ms.auth + .phases_ms.query)' "total covers the phases"
	assert_json "$j" '.error == null' "no error"
	assert_json "$j" '.server.version | startswith("15.")' "PostgreSQL 15"
	assert_json "$j" '.server.version_num >= 150000 and .server.version_num < 160000' "version_num"
	assert_json "$j" '.server.backend_pid > 0 and .server.in_recovery == false and .server.behind_pooler == false' "backend pid, primary, direct"
	assert_json "$j" '.tls.protocol == "TLSv1.3" and .tls.bits == 256' "TLS 1.3"
	assert_json "$j" '.tls.cert_subject == "CN=localhost"' "certificate subject"
	assert_json "$j" '.tls.cert_days_left >= 28 and .tls.cert_days_left <= 30' "certificate days left (harness makes 30)"
	assert_json "$j" '.settings.statement_timeout == {"value": "30s", "source": "user"}' "statement_timeout from ALTER ROLE"
	assert_json "$j" '.settings.idle_in_transaction_session_timeout.source == "default"' "a default setting"
	assert_json "$j" '.settings.max_connections.value == "20"' "max_connections"
	assert_json "$j" '.slots.max_connections == 20 and .slots.reserved == 3 and .slots.usable == 17' "slot limits"
	assert_json "$j" '.slots.in_use >= 1 and .slots.by_state.active >= 1' "our own session is counted"
	assert_json "$j" '[.slots.top_holders[] | select(.application_name == "pgpulse" and .usename == "app")] | length == 1' "pgpulse named among the holders"
}

test_check_nagios_line_has_perfdata() {
	require_pgpulse
	run_cmd "$PGPULSE" check "$(app_uri sslmode=require)"
	assert_eq 0 "$status" "exit 0"
	assert_match '^PGPULSE OK - connected in [0-9.]+ m?s \(PostgreSQL 15\.[0-9]+, TLSv1\.3\) \| total=[0-9.]+ms;' "$output" "Nagios line"
	assert_match ' tls=[0-9.]+ms' "$output" "perfdata per phase"
	assert_match ' slots=[0-9]+;[0-9]+;[0-9]+;0;17' "$output" "slots perfdata against usable slots"
	assert_eq 1 "$(printf '%s\n' "$output" | wc -l)" "one line"
}

test_check_sqlalchemy_url_and_database_url() {
	require_pgpulse
	run_cmd "$PGPULSE" check --json "postgresql+psycopg2://app:$APP_PASSWORD@127.0.0.1:$PG_PORT/appdb"
	assert_eq 0 "$status" "the +driver URL connects"
	assert_json "$output" '.target | startswith("postgresql://app:***@")' "shown without the driver, masked"

	run_cmd env DATABASE_URL="$(app_uri)" "$PGPULSE" check --json
	assert_eq 0 "$status" "DATABASE_URL is the default target"
	assert_json "$output" '.target | contains(":'"$PG_PORT"'/appdb")' "DATABASE_URL's target"
	assert_not_contains "$output$stderr" "$APP_PASSWORD" "no password"
}

test_check_psql_style_options_and_environment() {
	require_pgpulse
	run_cmd "$PGPULSE" check --json -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres
	assert_eq 0 "$status" "-h -p -U -d"
	assert_json "$output" '.target == "postgresql://postgres@127.0.0.1:'"$PG_PORT"'/postgres"' "target from options"

	run_cmd env PGHOST=127.0.0.1 PGPORT="$PG_PORT" PGUSER=app PGPASSWORD="$APP_PASSWORD" PGDATABASE=appdb \
		"$PGPULSE" check --json
	assert_eq 0 "$status" "libpq's environment"
	assert_json "$output" '.target == "postgresql://app@127.0.0.1:'"$PG_PORT"'/appdb"' "target from PG*"

	# Options override the target, as in psql.
	run_cmd "$PGPULSE" check --json -U postgres -d postgres "host=127.0.0.1 port=$PG_PORT user=nobody dbname=nowhere"
	assert_eq 0 "$status" "overrides win"
}

test_check_unix_socket_has_no_dns_and_no_tls() {
	require_pgpulse
	run_cmd "$PGPULSE" check --json "host=$PG_SOCKET_DIR port=$PG_PORT user=postgres dbname=postgres"
	assert_eq 0 "$status" "socket connects"
	assert_json "$output" '.tls == null and .phases_ms.tls == 0 and .phases_ms.dns == 0' "no TLS, no DNS"
	assert_json "$output" '.slots.top_holders | map(select(.application_name == "pgpulse"))[0].client_addr == "local"' "a local holder"
}

test_check_resolves_names_itself() {
	require_pgpulse
	run_cmd "$PGPULSE" check --json "host=localhost port=$PG_PORT user=postgres dbname=postgres sslmode=verify-full sslrootcert=$PG_CA"
	assert_eq 0 "$status" "verify-full by name works with our own resolution (stderr: $stderr)"
	assert_json "$output" '.phases_ms.dns > 0' "DNS timed"
	assert_json "$output" '.addresses | index("127.0.0.1") != null' "IPv4 address recorded"
	assert_json "$output" '.server.address as $a | .addresses | index($a) != null' "the address used is one of them"

	run_cmd "$PGPULSE" check --json "host=nosuch.invalid port=$PG_PORT user=postgres"
	assert_eq 2 "$status" "an unknown name is critical"
	assert_json "$output" '.error.class == "dns" and .error.phase == "dns" and .phases_ms.tcp == null' "class dns"
}

test_check_ipv6_literal() {
	require_pgpulse
	[ "$PG_HAS_IPV6" = 1 ] || { echo "no ::1 here: nothing to check"; return 0; }
	run_cmd "$PGPULSE" check --json "postgresql://postgres@[::1]:$PG_PORT/postgres?sslmode=require"
	assert_eq 0 "$status" "IPv6 connects"
	assert_json "$output" '.server.address == "::1"' "address ::1"
}

test_check_refused_port() {
	require_pgpulse
	run_cmd "$PGPULSE" check --json "host=127.0.0.1 port=$REFUSED_PORT user=app"
	assert_eq 2 "$status" "refused is critical"
	assert_json "$output" '.status == "critical" and .error.class == "refused" and .error.phase == "tcp"' "class refused in tcp"
	assert_json "$output" '.error.sqlstate == null and (.error.advice | length) > 10' "no SQLSTATE, some advice"
	assert_json "$output" '.phases_ms.tcp == null and .phases_ms.total >= 0 and .server == null and .settings == null and .slots == null' "nulls for what never happened"
}

test_check_silent_server_ends_at_deadline() {
	require_pgpulse
	local before
	before=$(cat "$FAKE_SILENT_COUNTFILE")
	run_cmd "$PGPULSE" check --json -t 1 "host=127.0.0.1 port=$FAKE_SILENT_PORT user=app"
	assert_eq 2 "$status" "a silent server is critical"
	assert_json "$output" '.error.class == "timeout"' "class timeout"
	# libpq's default sslmode=prefer sends SSLRequest first: it dies waiting for TLS.
	assert_json "$output" '.error.phase == "tls" and .phases_ms.tcp >= 0 and .phases_ms.tls == null' "died in tls"
	assert_json "$output" '.phases_ms.total >= 1000' "not before its deadline"
	assert_eq $((before + 1)) "$(cat "$FAKE_SILENT_COUNTFILE")" "one connection attempt"

	# The target's own connect_timeout wins over -t; with TLS off it dies in auth.
	run_cmd "$PGPULSE" check --json -t 30 "host=127.0.0.1 port=$FAKE_SILENT_PORT user=app connect_timeout=2 sslmode=disable"
	assert_json "$output" '.error.class == "timeout" and .error.phase == "auth" and .phases_ms.total >= 2000 and .phases_ms.total < 30000' "connect_timeout=2 honoured"
}

test_check_max_connections_gives_real_53300() {
	require_pgpulse
	hold_connections 17 filler
	run_cmd "$PGPULSE" check --json "$(app_uri)"
	assert_eq 2 "$status" "no slot for app"
	local j=$output
	assert_json "$j" '.error.class == "max_clients" and .error.sqlstate == "53300"' "max_clients 53300"
	assert_json "$j" '.error.message == "remaining connection slots are reserved for non-replication superuser connections"' "server's message, bare"
	assert_json "$j" '.error.phase == "auth" and .phases_ms.tcp >= 0 and .phases_ms.auth == null and .phases_ms.query == null' "phases up to auth"
	assert_json "$j" '.settings == null and .slots == null and .server == null' "never got in"

	run_cmd "$PGPULSE" check "$(app_uri)"
	assert_match '^PGPULSE CRITICAL - max_clients: remaining connection slots are reserved .* \(SQLSTATE 53300\)' "$output" "Nagios line"
	release_connections
}

test_check_pgbouncer_max_client_conn() {
	require_pgpulse
	HOLD_QUERY= HOLD_DB=appdb hold_connections 6 idle_clients app "$BOUNCER_PORT"
	run_cmd "$PGPULSE" check --json "host=127.0.0.1 port=$BOUNCER_PORT user=app dbname=appdb"
	assert_eq 2 "$status" "PgBouncer refuses"
	assert_json "$output" '.error.class == "max_clients" and .error.sqlstate == "08P01"' "class from the text, not the code"
	assert_json "$output" '.error.message == "no more connections allowed (max_client_conn)"' "PgBouncer's message"
	release_connections
}

test_check_pgbouncer_session_mode_works() {
	require_pgpulse
	run_cmd "$PGPULSE" check --json "host=127.0.0.1 port=$BOUNCER_PORT user=app dbname=appdb"
	assert_eq 0 "$status" "through PgBouncer"
	assert_json "$output" '.settings.statement_timeout.value == "30s"' "settings through the pooler"
	# PgBouncer sends a random cancel key where a pid would be; the server's
	# own pg_backend_pid() tells them apart and is the pid shown.
	assert_json "$output" '.server.behind_pooler == true and .server.backend_pid > 0 and .server.backend_pid <= 4194304' "the real backend pid"
	# Probes between introspections show the server's pid (the check query
	# asks for it), never the pooler's key.
	run_cmd "$PGPULSE" watch --format jsonl --count 3 --interval 0.1 --inspect-every 60 "host=127.0.0.1 port=$BOUNCER_PORT user=app dbname=appdb"
	local pid
	pid=$(printf '%s\n' "$output" | sed -n 2p | jq .backend_pid)
	assert_match "^[0-9]+$" "$pid" "second probe: a pid"
	assert_eq 1 "$(pg_admin "SELECT count(*) FROM pg_stat_activity WHERE pid = $pid")" "second probe: the server's pid, no made-up one"
}

test_check_supavisor_session_mode_message() {
	require_pgpulse
	run_cmd "$PGPULSE" check --json "host=127.0.0.1 port=$FAKE_SESSION_PORT user=app dbname=postgres"
	assert_eq 2 "$status" "the fake Supavisor refuses"
	assert_json "$output" '.error.class == "max_clients" and .error.sqlstate == "XX000"' "max_clients, XX000"
	assert_json "$output" '.error.message | startswith("MaxClientsInSessionMode: max clients reached")' "Supavisor's text"
	assert_json "$output" '.error.advice | test("6543|transaction mode|NullPool")' "advice for session mode"
}

test_check_auth_failed_hides_the_password() {
	require_pgpulse
	run_cmd "$PGPULSE" check --json "postgresql://app:Wrong-Secret-42@127.0.0.1:$PG_PORT/appdb"
	assert_eq 2 "$status" "wrong password"
	assert_json "$output" '.error.class == "auth_failed" and .error.sqlstate == "28P01"' "auth_failed 28P01"
	assert_not_contains "$output$stderr" "Wrong-Secret-42" "the password appears nowhere"

	run_cmd "$PGPULSE" check --json "host=127.0.0.1 port=$PG_PORT user=postgres dbname=nosuch"
	assert_json "$output" '.error.class == "db_missing" and .error.sqlstate == "3D000"' "db_missing"
}

test_check_tls_verification_failure() {
	require_pgpulse
	run_cmd "$PGPULSE" check --json "host=127.0.0.1 port=$PG_PORT user=postgres sslmode=verify-ca sslrootcert=/etc/ssl/certs/ca-certificates.crt"
	assert_eq 2 "$status" "an unknown CA is critical"
	assert_json "$output" '.error.class == "tls" and .error.phase == "tls"' "class tls"
}

test_check_thresholds() {
	require_pgpulse
	run_cmd "$PGPULSE" check -w total=0.001 "$(app_uri)"
	assert_eq 1 "$status" "slow beyond the warning"
	assert_match '^PGPULSE WARNING - connected in .*: connect took' "$output" "says why"

	run_cmd "$PGPULSE" check --json -w cert=60 -c cert=45 "$(app_uri sslmode=require)"
	assert_eq 2 "$status" "certificate within the critical window"
	assert_json "$output" '.status == "critical"' "critical"

	hold_connections 10 half_full
	run_cmd "$PGPULSE" check -w slots=50% "$(app_uri)"
	assert_eq 1 "$status" "11 of 17 slots in use is over 50%"
	assert_match 'of 17 usable slots in use' "$output" "says how full"
	run_cmd "$PGPULSE" check -c slots=10 "$(app_uri)"
	assert_eq 2 "$status" "6 slots left is under 10"
	release_connections
}

test_check_usage_errors_exit_3() {
	require_pgpulse
	run_cmd "$PGPULSE" check --bogus
	assert_eq 3 "$status" "unknown option"
	assert_contains "$stderr" "Try 'pgpulse --help'" "points at --help"

	run_cmd "$PGPULSE" burst -n 2 "host=a" "host=b"
	assert_eq 3 "$status" "burst takes one target"

	run_cmd "$PGPULSE" check "postgresql://app:Hunter2-pw@127.0.0.1:99999999/db"
	assert_eq 3 "$status" "bad port"
	assert_not_contains "$stderr" "Hunter2-pw" "no password in the message"

	run_cmd "$PGPULSE" check -w total=fast "$(app_uri)"
	assert_eq 3 "$status" "bad threshold"
	assert_contains "$stderr" "bad threshold" "says what is wrong"

	run_cmd "$PGPULSE" watch --format xml
	assert_eq 3 "$status" "bad format"
	run_cmd "$PGPULSE" check --format csv
	assert_eq 3 "$status" "option of another command"
	assert_contains "$stderr" "does not apply to 'check'" "says so"

	run_cmd "$PGPULSE" --version
	assert_match '^pgpulse [0-9]+\.[0-9]+' "$output" "version"
	run_cmd "$PGPULSE" --help
	assert_eq 0 "$status" "help exits 0"
	assert_contains "$output" "pgpulse check" "help lists the commands"
	# an 80-column terminal shows it unwrapped, like any GNU tool's
	assert_eq "" "$(printf '%s\n' "$output" | awk 'length($0) > 80')" "help lines fit 80 columns"
	run_cmd "$PGPULSE" help check
	assert_eq "" "$(printf '%s\n' "$output" | awk 'length($0) > 80')" "help check fits 80 columns"
}

test_check_usage_errors_say_unknown_on_stdout() {
	require_pgpulse
	run_cmd "$PGPULSE" chek "$(app_uri)"
	assert_eq 3 "$status" "a mistyped command"
	assert_contains "$stderr" "'chek' is neither a command nor a target (did you mean check?)" "suggests check"

	run_cmd "$PGPULSE" check "host=127.0.0.1 port=$PG_PORT sslmode=requird"
	assert_eq 3 "$status" "an invalid sslmode is a usage error, not a failed probe"
	assert_match '^PGPULSE UNKNOWN - .*invalid sslmode=requird: use one of disable allow prefer require verify-ca verify-full' "$output" "UNKNOWN line for the monitoring"

	run_cmd "$PGPULSE" check --json "postgresql://app:$APP_PASSWORD@127.0.0.1:$PG_PORT/appdb?sslmode=nope"
	assert_eq 3 "$status" "usage error"
	assert_json "$output" '.status == "unknown" and (.error.message | contains("invalid sslmode"))' "JSON says unknown"
	assert_not_contains "$output$stderr" "$APP_PASSWORD" "no password"

	run_cmd "$PGPULSE" check --inspect-every 1 "$(app_uri)"
	assert_contains "$stderr" "option '--inspect-every' does not apply to 'check'" "names the option, not its value"
}

test_check_perfdata_fields_are_positional() {
	require_pgpulse
	run_cmd "$PGPULSE" check "$(app_uri)"
	assert_match ' \| total=[0-9.]+ms;;;0 ' "$output" "no thresholds: empty warn and crit, min 0"
	run_cmd "$PGPULSE" check -c 500 "$(app_uri)"
	assert_match ' \| total=[0-9.]+ms;;500;0 ' "$output" "critical only"

	hold_connections 11 three_left_after_us
	run_cmd "$PGPULSE" check -w slots=1 "$(app_uri)"
	assert_eq 0 "$status" "slots=1 (left) replaces the default 80% warning: 12 of 17 in use is fine"
	assert_match ' slots=12;15;16;0;17' "$output" "perfdata shows the thresholds in force, in slots"
	release_connections
}

test_check_host_list_is_walked_by_libpq() {
	require_pgpulse
	run_cmd "$PGPULSE" check --json "host=127.0.0.1,127.0.0.1 port=$REFUSED_PORT,$PG_PORT user=postgres"
	assert_eq 0 "$status" "the second host answers (stderr: $stderr)"
	assert_json "$output" '.server.address == "127.0.0.1"' "the address used"
}

test_check_asyncpg_ssl_param() {
	require_pgpulse
	run_cmd "$PGPULSE" check --json "postgresql+asyncpg://app:$APP_PASSWORD@127.0.0.1:$PG_PORT/appdb?ssl=require"
	assert_eq 0 "$status" "ssl=require as asyncpg writes it"
	assert_json "$output" '.tls.protocol == "TLSv1.3" and (.target | contains("sslmode=require"))' "TLS on"
}

test_passwords_leave_the_process_arguments() {
	require_pgpulse
	local pid
	"$PGPULSE" watch --interval 0.2 "postgresql://app:$APP_PASSWORD@127.0.0.1:$PG_PORT/appdb" >/dev/null 2>&1 &
	pid=$!
	assert_args_hide "$pid" "$APP_PASSWORD"
	kill -INT "$pid"
	wait "$pid" || true
}

test_check_raw_reserved_characters_in_a_pasted_password() {
	require_pgpulse
	# Generated passwords hold '/', '?', '#' and '@'; SQLAlchemy reads such a
	# URL up to the last '@', and so must we: log in, and show none of it.
	local pw='Sl/ash?q#h@t-S3cret'
	pg_admin "DROP ROLE IF EXISTS slashy" "CREATE ROLE slashy LOGIN PASSWORD '$pw'" >/dev/null
	run_cmd "$PGPULSE" check --json "postgresql+psycopg2://slashy:$pw@127.0.0.1:$PG_PORT/postgres"
	pg_admin "DROP ROLE slashy" >/dev/null
	assert_eq 0 "$status" "logs in with the raw password (stderr: $stderr)"
	assert_json "$output" '.target == "postgresql://slashy:***@127.0.0.1:'"$PG_PORT"'/postgres"' "masked, host and db right"
	assert_not_contains "$output$stderr" "S3cret" "no part of the password"
	assert_not_contains "$output$stderr" "ash?q" "no part of the password"
}

test_check_connect_timeout_names_its_source() {
	require_pgpulse
	run_cmd "$PGPULSE" check --json "$(app_uri)"
	assert_json "$output" '.settings.connect_timeout == {"value": "10s", "source": "pgpulse default"}' "the default"
	run_cmd "$PGPULSE" check --json -t 3 "$(app_uri)"
	assert_json "$output" '.settings.connect_timeout == {"value": "3s", "source": "--timeout"}' "given with -t"
	run_cmd "$PGPULSE" check --json -t 3 "$(app_uri connect_timeout=4)"
	assert_json "$output" '.settings.connect_timeout == {"value": "4s", "source": "target"}' "the target's own wins"
}

test_help_command_is_the_help() {
	require_pgpulse
	run_cmd "$PGPULSE" help
	assert_eq 0 "$status" "help exits 0 (stderr: $stderr)"
	assert_contains "$output" "pgpulse check" "the help, not 'did you mean shell?'"
	assert_eq "" "$stderr" "nothing on stderr"

	run_cmd "$PGPULSE" help check
	assert_eq 0 "$status" "help check exits 0"
	assert_contains "$output" "Usage: pgpulse check" "check's synopsis"
	assert_contains "$output" "-w, --warning=VALUE" "an option check takes"
	assert_not_contains "$output" "--format" "no option of watch"

	run_cmd "$PGPULSE" help shell
	assert_contains "$output" "-c, --command=VALUE" "shell's -c is --command"
	assert_not_contains "$output" "--critical" "not check's --critical"
	assert_match "commands: check ping" "$output" "the prompt's commands"

	run_cmd "$PGPULSE" help chek
	assert_eq 3 "$status" "an unknown command is a usage error"
	assert_contains "$stderr" "no command 'chek' (did you mean check?)" "suggests check"
}

test_check_without_target_says_so() {
	require_pgpulse
	# no target, no DATABASE_URL: libpq's environment points at a closed port
	run_cmd env -u DATABASE_URL -u PGSERVICE PGHOST=127.0.0.1 PGPORT="$REFUSED_PORT" PGUSER=app \
		"$PGPULSE" check
	assert_eq 2 "$status" "nothing listens: critical"
	assert_contains "$stderr" "note: no target given and DATABASE_URL is unset: probing libpq's defaults (PGHOST, PGPORT, PGUSER), host 127.0.0.1 port $REFUSED_PORT, user app" "names what the defaults resolve to"
	assert_contains "$output" "(no target given)" "the advice says no target was given"

	# a target given: no such note, the usual advice
	run_cmd env -u DATABASE_URL "$PGPULSE" check "host=127.0.0.1 port=$REFUSED_PORT user=app"
	assert_eq 2 "$status" "still critical"
	assert_not_contains "$stderr" "no target given" "no note"
	assert_not_contains "$output" "no target given" "usual advice"
	assert_contains "$output" "nothing listens on this address and port" "usual advice"

	# DATABASE_URL counts as a target
	run_cmd env DATABASE_URL="postgresql://app@127.0.0.1:$REFUSED_PORT/appdb" "$PGPULSE" check
	assert_not_contains "$stderr$output" "no target given" "DATABASE_URL is a target"
}

test_check_several_targets_one_line_each() {
	require_pgpulse
	run_cmd "$PGPULSE" check "direct=$(app_uri)" "gone=host=127.0.0.1 port=$REFUSED_PORT user=app"
	assert_eq 2 "$status" "the worst status is the exit code (stderr: $stderr)"
	local lines
	lines=$(grep -c '^PGPULSE ' <<<"$output")
	assert_eq 2 "$lines" "one status line per target"
	assert_match '^PGPULSE OK - direct: connected in [0-9.]+ m?s \(PostgreSQL 15\.[0-9]+, [^)]*\) \| total=' "$(sed -n 1p <<<"$output")" "first the first target, named, with perfdata"
	assert_match '^PGPULSE CRITICAL - gone: refused' "$(sed -n 2p <<<"$output")" "then the second"
	assert_match $'\ngone: advice: nothing listens' "$output" "long output after every status line, named"
	assert_not_contains "$output" "$APP_PASSWORD" "no password"

	run_cmd "$PGPULSE" check -w total=100000 "one=$(app_uri)" "two=$(app_uri sslmode=require)"
	assert_eq 0 "$status" "all OK: 0"
	assert_eq 2 "$(grep -c '^PGPULSE OK - ' <<<"$output")" "two OK lines"

	run_cmd "$PGPULSE" check --json "direct=$(app_uri)" "gone=host=127.0.0.1 port=$REFUSED_PORT user=app"
	assert_eq 2 "$status" "JSON: worst status too"
	assert_eq 2 "$(wc -l <<<"$output")" "JSON lines: one object per line"
	assert_json "$(sed -n 1p <<<"$output")" '.name == "direct" and .status == "ok"' "first object"
	assert_json "$(sed -n 2p <<<"$output")" '.name == "gone" and .status == "critical" and .error.class == "refused"' "second object"
}

# Behind PgBouncer the protocol's pid is made up and introspection runs now
# and then: every probe still shows the server's pid, not "-" in between.
test_pooler_pid_on_every_probe() {
	require_pgpulse
	run_cmd "$PGPULSE" watch --format jsonl --count 8 --interval 0.2 --inspect-every 60 \
		"host=127.0.0.1 port=$BOUNCER_PORT user=app password=$APP_PASSWORD dbname=appdb"
	assert_eq 0 "$status" "every probe OK (stderr: $stderr)"
	assert_eq 8 "$(wc -l <<<"$output")" "8 records"
	local nulls pids
	nulls=$(jq -s '[.[] | select(.backend_pid == null)] | length' <<<"$output")
	assert_eq 0 "$nulls" "a pid on every probe, not only the inspected ones"
	# the server's pids: pg_stat_activity knows PgBouncer's server connections
	pids=$(jq -s '[.[].backend_pid] | unique | .[]' <<<"$output")
	local pid
	for pid in $pids; do
		assert_match "^[0-9]+$" "$pid" "a number"
		assert_eq 1 "$(pg_admin "SELECT count(*) FROM pg_stat_activity WHERE pid = $pid")" "pid $pid is a backend of the server"
	done
}
