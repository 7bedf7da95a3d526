# shellcheck shell=bash
#
# t_serve.sh: `pgpulse serve`, the Prometheus exporter: its exposition
# checked by promtool, a real Prometheus scraping it, /probe's rules (named
# targets only), HTTP faults that must never stall probing, and the alert
# rules under `promtool test rules`.

SERVE_PID=
SERVE_PORT=
PROM_PID=

# serve_start ARGS...: starts pgpulse serve on a free loopback port and
# waits until it answers; stderr goes to serve.err in the test's directory.
serve_start() {
	SERVE_PORT=$(harness_free_port)
	"$PGPULSE" serve --listen "127.0.0.1:$SERVE_PORT" "$@" >serve.out 2>serve.err &
	SERVE_PID=$!
	wait_until 15 curl -sf -o /dev/null "http://127.0.0.1:$SERVE_PORT/" ||
		assert_eq "answering" "not answering: $(cat serve.err)" "serve started"
}

# serve_stop: SIGTERM, then the exit status must be 0 (sanitizers report leaks there).
serve_stop() {
	[ -n "$SERVE_PID" ] || return 0
	kill -TERM "$SERVE_PID"
	local rc=0
	wait "$SERVE_PID" || rc=$?
	SERVE_PID=
	assert_eq 0 "$rc" "serve exits 0 on SIGTERM: $(tail -5 serve.err)"
}

serve_cleanup() {
	[ -n "$SERVE_PID" ] && kill -KILL "$SERVE_PID" 2>/dev/null
	[ -n "$PROM_PID" ] && kill -TERM "$PROM_PID" 2>/dev/null
	return 0
}

# get PATH: the body of GET http://serve/PATH (fails the command on HTTP errors).
get() {
	curl -sf --max-time 20 "http://127.0.0.1:$SERVE_PORT$1"
}

# code PATH [curl args]: the HTTP status of a request.
code() {
	local path=$1
	shift
	curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$@" "http://127.0.0.1:$SERVE_PORT$path"
}

# sample TEXT SERIES: the value of one series (exact name and labels) in exposition text.
sample() {
	printf '%s\n' "$1" | awk -v s="$2" 'index($0, s " ") == 1 { print $2; exit }'
}

# the whole answer, then grep: grep -q leaving a pipe early is SIGPIPE under pipefail
metrics_have() {
	local m
	m=$(get /metrics) && grep -qF -- "$1" <<<"$m"
}

test_serve_metrics_pass_promtool_and_never_show_a_password() {
	require_pgpulse
	trap serve_cleanup EXIT
	local svc=$PWD/pg_service.conf m
	printf '[svc]\nhost=127.0.0.1\nport=%s\nuser=app\npassword=%s\ndbname=appdb\n' \
		"$PG_PORT" "$APP_PASSWORD" >"$svc"
	PGSERVICEFILE=$svc serve_start -i 0.2 --inspect-every 0 \
		"ok=$PG_APP_URL?sslmode=require" "down=$REFUSED_URL" \
		"conninfo=host=127.0.0.1 port=$PG_PORT user=app password=$APP_PASSWORD dbname=appdb" \
		"service=svc" \
		"postgresql+psycopg2://app:$APP_PASSWORD@127.0.0.1:$PG_PORT/appdb"
	wait_until 15 metrics_have 'pgpulse_slots_in_use{target="svc"}'
	wait_until 15 metrics_have 'pgpulse_probe_success{target="down"}'
	m=$(get /metrics)
	run_cmd promtool check metrics <<<"$m"
	assert_eq 0 "$status" "promtool check metrics: $output $stderr"
	assert_eq "" "$output$stderr" "no lint findings"

	local om
	om=$(curl -sf -D headers -H 'Accept: application/openmetrics-text;version=1.0.0,text/plain;q=0.5' \
		"http://127.0.0.1:$SERVE_PORT/metrics")
	assert_contains "$(cat headers)" "Content-Type: application/openmetrics-text; version=1.0.0" "OpenMetrics when asked"
	assert_eq "# EOF" "$(printf '%s\n' "$om" | tail -1)" "OpenMetrics ends with # EOF"
	assert_contains "$om" "# TYPE pgpulse_probes counter" "counter family without _total"
	assert_contains "$om" "# TYPE pgpulse_server info" "info family"

	assert_eq 1 "$(sample "$m" 'pgpulse_probe_success{target="ok"}')" "healthy target up"
	assert_eq 0 "$(sample "$m" 'pgpulse_probe_success{target="down"}')" "refused target down"
	assert_eq 1 "$(sample "$m" 'pgpulse_probe_success{target="conninfo"}')" "a named conninfo"
	assert_eq 1 "$(sample "$m" 'pgpulse_probe_success{target="svc"}')" "a service, named after it"
	assert_eq 1 "$(sample "$m" "pgpulse_probe_success{target=\"127.0.0.1:$PG_PORT\"}")" "unnamed: host:port"
	assert_match 'pgpulse_probe_failures_total\{target="down",class="refused",limit=""\} [1-9]' "$m" "refusals counted"
	assert_match 'pgpulse_tls_info\{target="ok",protocol="TLSv1\.[23]",cipher="[A-Z0-9_-]+"\} 1' "$m" "TLS info"
	local expiry now
	expiry=$(sample "$m" 'pgpulse_tls_cert_expiry_timestamp_seconds{target="ok"}')
	now=$(date +%s)
	assert_eq 1 "$(awk -v e="$expiry" -v n="$now" 'BEGIN { print (e > n + 86400 && e < n + 20 * 365 * 86400) }')" "certificate expiry is a future timestamp ($expiry)"
	assert_match 'pgpulse_server_info\{target="svc",version="[0-9.]+[^"]*",in_recovery="false"\} 1' "$m" "server info"
	assert_match 'pgpulse_max_connections\{target="svc"\} [0-9]+' "$m" "max_connections"
	assert_match 'pgpulse_slots_by_state\{target="svc",state="active"\} [1-9]' "$m" "our own inspecting backend is active"
	assert_match 'pgpulse_timeout_setting_seconds\{target="svc",setting="statement_timeout",source="[a-z ]+"\} [0-9.]+' "$m" "timeouts in seconds"
	assert_match 'pgpulse_timeout_setting_seconds\{target="svc",setting="connect_timeout",source="pgpulse default"\} 10' "$m" "connect timeout and its source"
	assert_match 'pgpulse_probe_duration_seconds_bucket\{target="ok",phase="tls",le="\+Inf"\} [1-9]' "$m" "phase histogram"
	assert_eq 5 "$(sample "$m" 'pgpulse_targets_configured')" "targets configured"
	assert_match 'pgpulse_build_info\{version="[0-9.]+"\} 1' "$m" "build info"
	assert_match 'pgpulse_scrape_duration_seconds [0-9.e-]+' "$m" "scrape duration"

	local all
	all=$m$(get /)$(get '/probe?target=svc')$(cat serve.err)$(tr '\0' ' ' <"/proc/$SERVE_PID/cmdline")
	assert_contains "$all" 'pgpulse_probe_success 1' "a probe of a service"
	assert_not_contains "$all" "$APP_PASSWORD" "no password in metrics, the page, /probe, logs or ps"
	serve_stop
}

test_serve_without_targets_probes_every_service() {
	require_pgpulse
	trap serve_cleanup EXIT
	printf '# fleet\n[alpha]\nhost=127.0.0.1\nport=%s\nuser=postgres\n\n[beta]\nhost=127.0.0.1\nport=%s\nuser=postgres\n' \
		"$PG_PORT" "$REFUSED_PORT" >svc.conf
	PGSERVICEFILE=$PWD/svc.conf PGSYSCONFDIR=$PWD/none serve_start -i 0.2
	wait_until 15 metrics_have 'pgpulse_probe_success{target="beta"}'
	wait_until 15 metrics_have 'pgpulse_probe_success{target="alpha"} 1'
	assert_eq 2 "$(sample "$(get /metrics)" pgpulse_targets_configured)" "both services"
	assert_contains "$(get /)" 'href="/probe?target=alpha"' "the page links each target"
	serve_stop

	: >empty.conf
	run_cmd env PGSERVICEFILE=$PWD/empty.conf PGSYSCONFDIR=$PWD/none "$PGPULSE" serve --listen 127.0.0.1:0
	assert_eq 3 "$status" "no targets at all is a usage error"
	assert_contains "$stderr" "no services in $PWD/empty.conf" "says where it looked"
}

test_serve_probe_answers_a_fresh_probe_of_named_targets_only() {
	require_pgpulse
	trap serve_cleanup EXIT
	serve_start -i 60 "ok=$PG_APP_URL" "down=$REFUSED_URL"
	wait_until 15 metrics_have 'pgpulse_probes_total{target="ok"} 1'
	local body before
	before=$(pgpulse_open_count)
	body=$(get '/probe?target=ok')
	run_cmd promtool check metrics <<<"$body"
	assert_eq 0 "$status" "promtool accepts /probe's answer: $stderr"
	assert_eq 1 "$(sample "$body" pgpulse_probe_success)" "success gauge, no target label"
	assert_match 'pgpulse_probe_duration_seconds\{phase="auth"\} 0\.[0-9]+' "$body" "phase gauges"
	assert_match '# TYPE pgpulse_probe_duration_seconds gauge' "$body" "gauges, not a histogram"
	assert_eq 2 "$(sample "$(get /metrics)" 'pgpulse_probes_total{target="ok"}')" "a fresh probe, counted"
	body=$(get '/probe?target=down')
	assert_eq 0 "$(sample "$body" pgpulse_probe_success)" "refused"
	assert_contains "$body" 'pgpulse_probe_failure_info{class="refused",limit=""} 1' "why"

	assert_eq 400 "$(code '/probe?target=nosuch')" "unknown name"
	assert_eq 400 "$(code "/probe?target=host%3D127.0.0.1%20port%3D$PG_PORT%20user%3Dpostgres")" "a conninfo"
	assert_eq 400 "$(code "/probe?target=postgresql%3A%2F%2Fpostgres%40127.0.0.1%3A$PG_PORT%2Fpostgres")" "a URI"
	assert_eq 400 "$(code "/probe?target=ok&host=127.0.0.1&port=$PG_PORT")" "extra arguments"
	assert_eq 400 "$(code '/probe')" "no target"
	assert_eq 404 "$(code '/nope')" "anything else"
	assert_eq 405 "$(code '/metrics' -X POST -d x=1)" "GET only"
	assert_eq 2 "$(sample "$(get /metrics)" 'pgpulse_probes_total{target="ok"}')" "refused requests probed nothing"
	assert_eq "$before" "$(pgpulse_open_count)" "no connection left open"
	serve_stop
}

# prom_query EXPR: the API's JSON answer for an instant query.
prom_query() {
	curl -sf --max-time 10 "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1"
}

# prom_value EXPR: the single value of an instant query, or nothing.
prom_value() {
	prom_query "$1" | jq -r 'if .data.result | length == 1 then .data.result[0].value[1] else empty end'
}

prom_has_value() {
	[ -n "$(prom_value "$1")" ]
}

test_serve_scraped_by_a_real_prometheus() {
	require_pgpulse
	command -v prometheus >/dev/null || assert_eq installed missing "prometheus (apt-get install prometheus)"
	trap serve_cleanup EXIT
	serve_start -i 0.2 "ok=$PG_APP_URL" "down=$REFUSED_URL"
	PROM_PORT=$(harness_free_port)
	local dir
	dir=$(mktemp -d "$HARNESS_TMP/prometheus.XXXXXX")
	cat >"$dir/prometheus.yml" <<-YML
	global:
	  scrape_interval: 1s
	  scrape_timeout: 1s
	scrape_configs:
	  - job_name: pgpulse
	    static_configs:
	      - targets: ['127.0.0.1:$SERVE_PORT']
	  - job_name: pgpulse-probe
	    metrics_path: /probe
	    static_configs:
	      - targets: [ok, down]
	    relabel_configs:
	      - source_labels: [__address__]
	        target_label: __param_target
	      - source_labels: [__param_target]
	        target_label: target
	      - target_label: __address__
	        replacement: 127.0.0.1:$SERVE_PORT
	YML
	run_cmd promtool check config "$dir/prometheus.yml"
	assert_eq 0 "$status" "the config is valid: $output $stderr"
	[ -n "$HARNESS_USER" ] && chown -R "$HARNESS_USER" "$dir"
	harness__as_server prometheus --config.file="$dir/prometheus.yml" \
		--storage.tsdb.path="$dir/data" --web.listen-address="127.0.0.1:$PROM_PORT" \
		--log.level=warn >"$dir/log" 2>&1 &
	PROM_PID=$!
	wait_until 30 prom_has_value 'pgpulse_probe_success{job="pgpulse",target="down"}' ||
		assert_eq scraped "not scraped: $(tail -5 "$dir/log")" "Prometheus scrapes serve"
	wait_until 15 prom_has_value 'pgpulse_probe_success{job="pgpulse",target="ok"}'
	assert_eq 1 "$(prom_value 'pgpulse_probe_success{job="pgpulse",target="ok"}')" "healthy target, via Prometheus"
	assert_eq 0 "$(prom_value 'pgpulse_probe_success{job="pgpulse",target="down"}')" "refused target, via Prometheus"
	local q='histogram_quantile(0.9, sum by (le) (rate(pgpulse_probe_duration_seconds_bucket{job="pgpulse",target="ok",phase="total"}[20s])))'
	wait_until 20 prom_has_value "$q"
	local p90
	p90=$(prom_value "$q")
	assert_eq 1 "$(awk -v v="$p90" 'BEGIN { print (v > 0 && v < 1) }')" "p90 of a loopback probe is between 0 and 1 s (got $p90)"
	wait_until 15 prom_has_value 'pgpulse_probe_success{job="pgpulse-probe",target="down"}'
	wait_until 15 prom_has_value 'pgpulse_probe_success{job="pgpulse-probe",target="ok"}'
	assert_eq 1 "$(prom_value 'pgpulse_probe_success{job="pgpulse-probe",target="ok"}')" "/probe through multi-target relabelling"
	assert_eq 0 "$(prom_value 'pgpulse_probe_success{job="pgpulse-probe",target="down"}')" "/probe of the refused one"
	assert_eq 1 "$(prom_value 'up{job="pgpulse"}')" "scrapes succeed"
	kill -TERM "$PROM_PID"
	wait "$PROM_PID" 2>/dev/null || true
	PROM_PID=
	serve_stop
}

serve_rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$SERVE_PID/status"
}

serve_fds() {
	ls "/proc/$SERVE_PID/fd" | wc -l
}

test_serve_http_faults_never_stall_probing() {
	require_pgpulse
	trap serve_cleanup EXIT
	# A sanitizer build holds freed memory in quarantine (256 MB): keep it
	# small so RSS shows what serve itself keeps.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=2 serve_start -i 0.2 "ok=$PG_APP_URL"
	wait_until 15 metrics_have 'pgpulse_probes_total{target="ok"} 5'
	local fds0 probes0 probes1 rss1 rss2 late code_line

	# A client that connects and sends nothing, and one that half-sends a request.
	exec 7<>"/dev/tcp/127.0.0.1/$SERVE_PORT"
	exec 8<>"/dev/tcp/127.0.0.1/$SERVE_PORT"
	printf 'GET /metrics HTTP/1.1\r\nHost: x' >&8
	assert_eq 200 "$(code /metrics)" "others are answered meanwhile"

	# A 1 MB request line: refused, and serve stays up.
	exec 9<>"/dev/tcp/127.0.0.1/$SERVE_PORT"
	# (serve may answer and close before all of it is sent: no SIGPIPE here)
	(
		trap '' PIPE
		printf 'GET /'
		head -c 1048576 /dev/zero | tr '\0' a
		printf ' HTTP/1.1\r\nHost: x\r\n\r\n'
	) >&9 2>/dev/null || true
	code_line=$(timeout 5 head -c 12 <&9 2>/dev/null || true)
	exec 9>&-
	[ -z "$code_line" ] || assert_eq "HTTP/1.1 414" "$code_line" "request line too long"
	assert_eq 200 "$(code /metrics)" "still answering after the long request"

	# Many parallel scrapers for 10 s: probing keeps its schedule.
	fds0=$(serve_fds)
	probes0=$(sample "$(get /metrics)" 'pgpulse_probes_total{target="ok"}')
	local list=$PWD/urls i
	for ((i = 0; i < 400; i++)); do
		printf 'url = "http://127.0.0.1:%s/metrics"\noutput = "/dev/null"\n' "$SERVE_PORT"
	done >"$list"
	local end=$((SECONDS + 10)) rounds=0
	while ((SECONDS < end)); do
		curl -s --no-progress-meter -Z --parallel-max 200 --max-time 5 -K "$list" 2>/dev/null || true
		rounds=$((rounds + 1))
		((rounds == 2)) && rss1=$(serve_rss_kb)
	done
	rss2=$(serve_rss_kb)
	probes1=$(sample "$(get /metrics)" 'pgpulse_probes_total{target="ok"}')
	echo "scrape rounds $rounds (400 scrapes each), probes $probes0 -> $probes1, RSS ${rss1} -> ${rss2} kB"
	# 10 s at 0.2 s is 50 probes; allow for a loaded 2-core machine.
	assert_eq 1 "$((probes1 - probes0 >= 35))" "probes kept on schedule under the crowd ($((probes1 - probes0)) in 10 s)"
	late=$(awk -v t="$(sample "$(get /metrics)" 'pgpulse_last_probe_timestamp_seconds{target="ok"}')" -v n="$(date +%s.%N)" 'BEGIN { print (n - t < 1.5) }')
	assert_eq 1 "$late" "the last probe started less than 1.5 s ago"
	assert_eq 1 "$((rss2 - rss1 < 8192))" "RSS flat under load: ${rss1} -> ${rss2} kB"

	# The idle clients are dropped by the connection timeout; nothing leaks.
	exec 7>&- 8>&-
	wait_until 20 bash -c "[ \$(ls /proc/$SERVE_PID/fd | wc -l) -le $fds0 ]" ||
		assert_eq "$fds0" "$(serve_fds)" "descriptors back to where they were"
	assert_eq 200 "$(code /metrics)" "healthy after it all"
	serve_stop
}

test_serve_idle_client_is_dropped_by_the_timeout() {
	require_pgpulse
	trap serve_cleanup EXIT
	serve_start -i 1 "ok=$PG_APP_URL"
	exec 7<>"/dev/tcp/127.0.0.1/$SERVE_PORT"
	local t0=$SECONDS got
	got=$(timeout 20 cat <&7 || echo "still open")
	assert_eq "" "$got" "closed without an answer"
	assert_eq 1 "$((SECONDS - t0 >= 8 && SECONDS - t0 <= 15))" "after the 10 s connection timeout ($((SECONDS - t0)) s)"
	serve_stop
}

test_serve_usage_errors() {
	require_pgpulse
	run_cmd "$PGPULSE" serve --listen nonsense "host=127.0.0.1 port=$PG_PORT"
	assert_eq 3 "$status" "bad --listen"
	assert_contains "$stderr" "give ADDR:PORT" "says how"
	run_cmd "$PGPULSE" serve --listen 127.0.0.1:0 "host=127.0.0.1 port=$PG_PORT" "host=127.0.0.1 port=$PG_PORT dbname=x"
	assert_eq 3 "$status" "two targets with one name"
	assert_contains "$stderr" "two targets are called '127.0.0.1:$PG_PORT'" "names the clash"
	run_cmd "$PGPULSE" serve --listen "127.0.0.1:$PG_PORT" "host=127.0.0.1 port=$PG_PORT"
	assert_eq 3 "$status" "port in use"
	assert_contains "$stderr" "cannot listen on 127.0.0.1:$PG_PORT" "says so"
	run_cmd "$PGPULSE" watch --listen 127.0.0.1:1 "host=127.0.0.1 port=$PG_PORT"
	assert_eq 3 "$status" "--listen is serve's"
	run_cmd "$PGPULSE" serve --listen 127.0.0.1:0 "primary="
	assert_eq 3 "$status" "a name without a target"
	assert_contains "$stderr" "'primary=' names no target" "says so"
	run_cmd "$PGPULSE" check "hots=127.0.0.1 port=$PG_PORT"
	assert_eq 3 "$status" "a mistyped keyword reads as a name"
	assert_contains "$stderr" "read as NAME=TARGET: 'hots' is no libpq keyword" "and says so"
	# a mistyped password keyword: what follows is never quoted back
	run_cmd "$PGPULSE" check "pasword=Sekr3tPW host=127.0.0.1"
	assert_eq 3 "$status" "a mistyped password keyword reads as a name"
	assert_contains "$output$stderr" "'pasword' is no libpq keyword" "says which word"
	assert_not_contains "$output$stderr" "Sekr3tPW" "and never shows what followed it"
}

test_serve_names_in_watch_and_check() {
	require_pgpulse
	run_cmd "$PGPULSE" watch --count 1 "primary=$PG_APP_URL"
	assert_match '^[^ ]+ primary seq=1 ok' "$output" "watch shows the name"
	run_cmd "$PGPULSE" check --json "primary=$PG_APP_URL"
	assert_json "$output" '.name == "primary" and .status == "ok"' "check --json carries the name"
	assert_not_contains "$output$stderr" "$APP_PASSWORD" "no password"
}

test_serve_alert_rules_pass_promtool() {
	local dir=$HARNESS_SRCDIR/../../contrib/prometheus
	run_cmd promtool check rules "$dir/alerts.yml"
	assert_eq 0 "$status" "alerts.yml is valid: $output $stderr"
	run_cmd promtool test rules "$dir/alerts_test.yml"
	assert_eq 0 "$status" "promtool test rules: $output $stderr"
	run_cmd promtool check config "$dir/prometheus.yml"
	assert_eq 0 "$status" "prometheus.yml is valid: $output $stderr"
}

test_serve_probe_of_a_silent_target_blocks_nothing_and_shutdown_answers_it() {
	require_pgpulse
	trap serve_cleanup EXIT
	serve_start -i 60 -t 20 "ok=$PG_APP_URL" "silent=$FAKE_SILENT_URL"
	wait_until 15 metrics_have 'pgpulse_probes_total{target="ok"} 1'
	curl -s -o silent.body -w '%{http_code}' --max-time 30 "http://127.0.0.1:$SERVE_PORT/probe?target=silent" >silent.code &
	local curl_pid=$! t0 i codes
	sleep 0.5
	t0=$(date +%s%N)
	assert_eq 200 "$(code /metrics)" "/metrics answers while a /probe waits"
	assert_eq 200 "$(code '/probe?target=ok')" "and so does another target's /probe"
	assert_eq 1 "$((($(date +%s%N) - t0) / 1000000 < 2000))" "without waiting for the silent one"
	# Parallel /probe requests of one target share its probe in flight.
	for ((i = 0; i < 20; i++)); do
		curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 "http://127.0.0.1:$SERVE_PORT/probe?target=ok" &
	done >codes
	wait_until 20 bash -c '[ $(grep -c . codes) = 20 ]'
	assert_eq 20 "$(grep -c '^200$' codes)" "every parallel /probe answered"
	# Stopping with the silent /probe still pending answers it (503) and exits cleanly.
	assert_eq "" "$(cat silent.code)" "the silent probe is still pending"
	serve_stop
	wait "$curl_pid" || true
	assert_eq 503 "$(cat silent.code)" "a pending /probe is answered on shutdown"
}

test_serve_one_hosts_idle_connections_do_not_lock_out_another() {
	require_pgpulse
	trap serve_cleanup EXIT
	serve_start -i 1 "ok=$PG_APP_URL"
	local i fd t0
	# 70 idle connections from 127.0.0.1: more than one address may hold.
	for ((i = 0; i < 70; i++)); do
		exec {fd}<>"/dev/tcp/127.0.0.1/$SERVE_PORT"
	done
	t0=$(date +%s%N)
	assert_eq 200 "$(code /metrics --interface 127.0.0.2)" "another address is answered"
	assert_eq 1 "$((($(date +%s%N) - t0) / 1000000 < 2000))" "at once, not after the idle ones time out"
	serve_stop
}
