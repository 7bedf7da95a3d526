# shellcheck shell=bash
#
# t_nagios.sh: the monitoring-plugins contract of `pgpulse check`: every
# perfdata field is label=value[UOM];[warn];[crit];[min];[max] with ranges
# that mean what pgpulse evaluates, usage errors still say UNKNOWN on
# stdout, and the advice, DETAIL and HINT sit on the long-output lines.
# Also the advice that names the TLS step that failed.

nagios_uri() {
	echo "postgresql://$APP_USER:$APP_PASSWORD@127.0.0.1:$PG_PORT/$APP_DB${1:+?$1}"
}

# Every perfdata field of the first line parses, per the guidelines.
assert_perfdata_valid() {
	local perf field num='-?[0-9]+(\.[0-9]+)?' range
	range="@?(~|$num)?:?($num)?"
	perf=${1#*| }
	for field in $perf; do
		assert_match "^[a-z_]+=$num(ms|s|%|B|KB|MB|TB|c)?(;($range)?(;($range)?(;($num)?(;($num)?)?)?)?)?\$" "$field" "perfdata field '$field' follows label=value[UOM];warn;crit;min;max"
	done
}

test_nagios_cert_days_is_a_lower_bound() {
	require_pgpulse
	run_cmd "$PGPULSE" check "$(nagios_uri sslmode=require)"
	assert_eq 0 "$status" "healthy (stderr: $stderr)"
	local first=${output%%$'\n'*}
	assert_match ' cert_days=(29|30);14:;3:$' "$first" "alert below 14 and 3 days: 14:;3: (was 14;3, meaning above)"
	assert_perfdata_valid "$first"

	# 29 or 30 days left: under 31 warns, and the perfdata says the same bound
	run_cmd "$PGPULSE" check -w cert=31 -c cert=5 "$(nagios_uri sslmode=require)"
	assert_eq 1 "$status" "fewer than 31 days left warns"
	assert_match ' cert_days=(29|30);31:;5:' "$output" "the threshold in force"
	run_cmd "$PGPULSE" check -w cert=29 -c cert=5 "$(nagios_uri sslmode=require)"
	days=$(printf '%s\n' "$output" | sed -n 's/.* cert_days=\([0-9]*\);.*/\1/p')
	if [ "$days" -ge 29 ]; then
		assert_eq 0 "$status" "$days days left is not fewer than 29"
	fi
}

test_nagios_slots_ranges_match_the_evaluation() {
	require_pgpulse
	run_cmd "$PGPULSE" check "$(nagios_uri)"
	# 17 usable: 80% first alerts at 14 in use (range 13), 95% at 17 (range 16)
	assert_match ' slots=[0-9]+;13;16;0;17( |$)' "$output" "default slots ranges"
	assert_perfdata_valid "${output%%$'\n'*}"
	run_cmd "$PGPULSE" check -w slots=1 -c slots=0 "$(nagios_uri)"
	# 1 left first at 16 in use (range 15), 0 left at 17 (range 16)
	assert_match ' slots=[0-9]+;15;16;0;17( |$)' "$output" "slots left as ranges"
	run_cmd "$PGPULSE" check -w slots=0% "$(nagios_uri)"
	assert_eq 1 "$status" "0% always warns"
	assert_match ' slots=[0-9]+;@0:;16;0;17( |$)' "$output" "an always-alerting range"
	assert_perfdata_valid "${output%%$'\n'*}"
	run_cmd "$PGPULSE" check -w 0.5 -c 1500.25 "$(nagios_uri)"
	assert_match ' \| total=[0-9.]+ms;0\.5;1500\.25;0 ' "$output" "fractional milliseconds kept"
}

test_nagios_bad_threshold_says_unknown_on_stdout() {
	require_pgpulse
	run_cmd "$PGPULSE" check -w foo=3 "$(nagios_uri)"
	assert_eq 3 "$status" "usage error"
	assert_match "^PGPULSE UNKNOWN - bad threshold 'foo=3' \(no threshold 'foo'\)" "$output" "UNKNOWN line on stdout"
	assert_contains "$stderr" "bad threshold" "and on stderr"
	run_cmd "$PGPULSE" check -c slots=150% --json "$(nagios_uri)"
	assert_eq 3 "$status" "usage error"
	assert_json "$output" '.status == "unknown" and (.error.message | contains("a percentage is 0 to 100"))' "JSON says unknown, --json after the threshold"
	assert_json "$output" '.error | has("detail") and has("hint")' "the error object has the same keys as a failed probe's"
	assert_eq 0 "$(pgpulse_open_count)" "nothing connected"
}

test_nagios_advice_on_long_output_lines() {
	require_pgpulse
	run_cmd "$PGPULSE" check "postgresql://$APP_USER:wrong-pw@127.0.0.1:$PG_PORT/$APP_DB"
	assert_eq 2 "$status" "critical"
	assert_match '^PGPULSE CRITICAL - auth_failed: .* \| total=' "$output" "the first line as before"
	assert_match $'\nadvice: check user and password' "$output" "advice after the first line"
	assert_eq 0 "$(printf '%s\n' "${output#*$'\n'}" | grep -c '|')" "no perfdata in the long output"
}

test_nagios_server_hint_is_kept() {
	require_pgpulse
	run_cmd "$PGPULSE" check --json "$(nagios_uri 'options=-c%20statement_timeout%3D1x')"
	assert_eq 2 "$status" "the server refuses the setting"
	assert_json "$output" '.error.hint | test("Valid units")' "the server's HINT in the error object"
	run_cmd "$PGPULSE" check "$(nagios_uri 'options=-c%20statement_timeout%3D1x')"
	assert_match $'\nhint: Valid units for this parameter' "$output" "and on a long-output line"
}

test_nagios_query_error_keeps_detail_and_hint() {
	require_pgpulse
	run_cmd "$PGPULSE" check --json --query "DO \$\$BEGIN RAISE EXCEPTION 'boom' USING DETAIL = 'the detail', HINT = 'the hint'; END\$\$" "$(nagios_uri)"
	assert_eq 2 "$status" "query error"
	assert_json "$output" '.error.message == "boom" and .error.detail == "the detail" and .error.hint == "the hint"' "DETAIL and HINT kept"
}

test_tls_root_certificate_missing() {
	require_pgpulse
	local home=$HARNESS_TMP/empty-home
	mkdir -p "$home"
	run_cmd env HOME="$home" "$PGPULSE" check --json "$(nagios_uri sslmode=verify-full)"
	assert_eq 2 "$status" "fails"
	assert_json "$output" '.error.class == "tls"' "tls"
	assert_json "$output" '.error.advice | test("sslrootcert")' "advice names sslrootcert"
	assert_json "$output" '.error.hint | test("Either provide the file")' "libpq's own hint kept"
}

test_tls_certificate_name_mismatch() {
	require_pgpulse
	run_cmd "$PGPULSE" check --json "host=pgpulse.invalid hostaddr=127.0.0.1 port=$PG_PORT user=$APP_USER password=$APP_PASSWORD dbname=$APP_DB sslmode=verify-full sslrootcert=$PG_CA"
	assert_eq 2 "$status" "the certificate does not name pgpulse.invalid"
	assert_json "$output" '.error.class == "tls" and (.error.advice | test("names another host"))' "says the name is wrong"
	run_cmd "$PGPULSE" check --json "$(nagios_uri "sslmode=verify-full&sslrootcert=/etc/ssl/certs/ca-certificates.crt")"
	assert_json "$output" '.error.class == "tls" and (.error.advice | test("does not verify"))' "an unknown chain says so"
}

test_tls_required_but_pooler_speaks_none() {
	require_pgpulse
	run_cmd "$PGPULSE" check --json "postgresql://$APP_USER:$APP_PASSWORD@127.0.0.1:$BOUNCER_PORT/$APP_DB?sslmode=require"
	assert_eq 2 "$status" "fails"
	assert_json "$output" '.error.class == "tls" and (.error.advice | test("speaks no TLS"))' "the pooler speaks no TLS"
	assert_not_contains "$output$stderr" "$APP_PASSWORD" "no password"
}
