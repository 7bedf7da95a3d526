# shellcheck shell=bash
#
# harness.sh: starts the real servers the integration tests probe, all on
# loopback: PostgreSQL 15 with TLS, PgBouncer in session mode, and fake
# servers that play Supavisor and endpoints that never answer.
#
# Source it, then call harness_start (which installs an EXIT/INT/TERM trap
# running harness_stop). Test shells started later source it again together
# with "$HARNESS_TMP/env.sh" to get the helpers and the variables without
# starting anything.
#
# Servers never run as root: when the caller is root they run as the
# unprivileged user pgpulse-test (created on first use).

HARNESS_SERVER_USER=pgpulse-test
HARNESS_APP_PASSWORD='apppass-S3cret'
HARNESS_LIMITED_PASSWORD='limitedpass'
HARNESS_SESSION_MESSAGE='MaxClientsInSessionMode: max clients reached - in Session mode max clients are limited to pool_size'

harness__log() {
	printf 'harness: %s\n' "$*" >&2
}

# Print a reason and return 1, so callers can write `... || harness__fail why`.
harness__fail() {
	harness__log "ERROR: $*"
	return 1
}

# Microseconds since the epoch, from bash itself (no fork per poll).
harness__now_us() {
	local t=${EPOCHREALTIME//[!0-9]/}
	printf '%s' "$t"
}

# "2.5" -> 2500000
harness__seconds_to_us() {
	local s=$1 whole frac
	whole=${s%%.*}
	frac=
	[[ $s == *.* ]] && frac=${s#*.}
	frac=${frac}000000
	frac=${frac:0:6}
	printf '%s' $((10#${whole:-0} * 1000000 + 10#$frac))
}

# wait_until TIMEOUT_SECONDS CMD...
# Runs CMD every 0.1 s until it succeeds; returns 1 if TIMEOUT passes first.
wait_until() {
	local timeout=${1:?wait_until: timeout missing}
	shift
	local deadline=$(($(harness__now_us) + $(harness__seconds_to_us "$timeout")))
	while :; do
		"$@" && return 0
		(($(harness__now_us) >= deadline)) && return 1
		sleep 0.1
	done
}

# Run a command as the server user (or as ourselves when not root).
harness__as_server() {
	if [ -n "${HARNESS_USER:-}" ]; then
		runuser -u "$HARNESS_USER" -- "$@"
	else
		"$@"
	fi
}

# A zombie counts as dead: daemons (postmaster, pgbouncer) are reparented
# to PID 1, which in a container may take its time to reap them.
harness__pid_alive() {
	[ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	stat=${stat##*) }
	[ "${stat:0:1}" != Z ]
}

harness__pid_dead() {
	! harness__pid_alive "$1"
}

# Stop a process by its pidfile: TERM, bounded wait, then KILL.
harness__kill_pidfile() {
	local pidfile=$1 pid
	[ -f "$pidfile" ] || return 0
	pid=$(head -n1 "$pidfile" 2>/dev/null) || true
	[[ $pid =~ ^[0-9]+$ ]] || { rm -f "$pidfile"; return 0; }
	if harness__pid_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		if ! wait_until 5 harness__pid_dead "$pid"; then
			harness__log "pid $pid ($pidfile) ignored SIGTERM; killing it"
			kill -KILL "$pid" 2>/dev/null || true
			wait_until 2 harness__pid_dead "$pid" || true
		fi
	fi
	rm -f "$pidfile"
}

# ---------------------------------------------------------------- ports

harness__port_in_use() {
	local port=$1
	grep -qx "$port" "$HARNESS_TMP/run/ports" 2>/dev/null && return 0
	[ -n "$(ss -Htan "( sport = :$port )" 2>/dev/null)" ]
}

# harness_free_port: prints a loopback TCP port nothing uses, below the
# kernel's ephemeral range so outgoing connections cannot take it later.
# The port is remembered so no later call hands it out again.
harness_free_port() {
	local lo hi base span port tries
	read -r lo hi </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || { lo=32768; hi=60999; }
	if ((lo > 12000)); then
		base=10000 span=$((lo - 10000))
	elif ((hi < 60000)); then
		base=$((hi + 1)) span=$((65000 - hi))
	else
		base=20000 span=30000
	fi
	for ((tries = 0; tries < 200; tries++)); do
		port=$((base + (RANDOM * 32768 + RANDOM) % span))
		if ! harness__port_in_use "$port"; then
			echo "$port" >>"$HARNESS_TMP/run/ports"
			echo "$port"
			return 0
		fi
	done
	harness__fail "no free TCP port found between $base and $((base + span))"
}

harness__port_listening() {
	[ -n "$(ss -Hltn "( sport = :$1 )" 2>/dev/null)" ]
}

# ---------------------------------------------------------------- tools

harness__find_pg_bindir() {
	local d best=
	if command -v pg_config >/dev/null 2>&1; then
		d=$(pg_config --bindir 2>/dev/null)
		if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
			echo "$d"
			return 0
		fi
	fi
	# The newest installed major version.
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] || continue
		if [ -z "$best" ] || (($(basename "$(dirname "$d")") > $(basename "$(dirname "$best")"))); then
			best=$d
		fi
	done
	[ -n "$best" ] && { echo "$best"; return 0; }
	return 1
}

harness__require_tools() {
	local missing=() t
	for t in openssl ss psql jq timeout; do
		command -v "$t" >/dev/null 2>&1 || missing+=("$t")
	done
	[ -x "$HARNESS_PGBOUNCER" ] || missing+=("pgbouncer")
	if [ ${#missing[@]} -gt 0 ]; then
		harness__fail "missing tools: ${missing[*]} (run scripts/bootstrap, or apt-get install openssl iproute2 postgresql-client jq coreutils pgbouncer)"
		return 1
	fi
	PG_BINDIR=$(harness__find_pg_bindir) ||
		{ harness__fail "PostgreSQL server binaries not found (apt-get install postgresql-15)"; return 1; }
}

harness__ensure_user() {
	HARNESS_USER=
	[ "$(id -u)" = 0 ] || return 0
	if ! id -u "$HARNESS_SERVER_USER" >/dev/null 2>&1; then
		harness__log "creating system user $HARNESS_SERVER_USER to run the test servers"
		useradd --system --no-create-home --shell /usr/sbin/nologin "$HARNESS_SERVER_USER" ||
			{ harness__fail "cannot create user $HARNESS_SERVER_USER"; return 1; }
	fi
	command -v runuser >/dev/null 2>&1 || { harness__fail "runuser not found (util-linux)"; return 1; }
	HARNESS_USER=$HARNESS_SERVER_USER
}

harness__has_ipv6_loopback() {
	local out
	if command -v ip >/dev/null 2>&1; then
		out=$(ip -6 addr show lo 2>/dev/null) || return 1
		[[ $out == *"inet6 ::1/128"* ]]
	else
		grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 2>/dev/null
	fi
}

# ---------------------------------------------------------------- TLS

harness__make_certs() {
	local d=$HARNESS_TMP/tls
	mkdir -p "$d"
	cat >"$d/ca.cnf" <<-'EOF'
		[req]
		distinguished_name = dn
		prompt = no
		x509_extensions = v3_ca
		[dn]
		CN = pgpulse test CA
		[v3_ca]
		basicConstraints = critical, CA:TRUE
		keyUsage = critical, keyCertSign, cRLSign
		subjectKeyIdentifier = hash
	EOF
	cat >"$d/server.cnf" <<-'EOF'
		[req]
		distinguished_name = dn
		prompt = no
		[dn]
		CN = localhost
		[v3_server]
		basicConstraints = critical, CA:FALSE
		keyUsage = critical, digitalSignature, keyEncipherment
		extendedKeyUsage = serverAuth
		subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
		subjectKeyIdentifier = hash
		authorityKeyIdentifier = keyid
	EOF
	(
		cd "$d" &&
			openssl req -new -x509 -nodes -newkey rsa:2048 -days 30 \
				-config ca.cnf -keyout ca.key -out ca.crt &&
			openssl req -new -nodes -newkey rsa:2048 \
				-config server.cnf -keyout server.key -out server.csr &&
			openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -set_serial "0x$(openssl rand -hex 8)" \
				-days 30 -extfile server.cnf -extensions v3_server -out server.crt
	) >"$d/openssl.log" 2>&1 || { cat "$d/openssl.log" >&2; harness__fail "certificate generation failed"; return 1; }
	chmod 644 "$d/ca.crt" "$d/server.crt"
	chmod 600 "$d/ca.key" "$d/server.key"
	PG_CA=$d/ca.crt
	PG_SERVER_CERT=$d/server.crt
	PG_SERVER_KEY=$d/server.key
}

# ---------------------------------------------------------------- PostgreSQL

# harness_pg_ctl_at DATA ARGS...: pg_ctl on any cluster, as the server user.
harness_pg_ctl_at() {
	local data=$1
	shift
	harness__as_server "$PG_BINDIR/pg_ctl" -D "$data" "$@"
}

harness__pg_ctl() {
	harness_pg_ctl_at "$PG_DATA" "$@"
}

# harness_initdb DATA LOG [INITDB OPTIONS...]: a throwaway cluster (superuser
# postgres, no fsync), as the server user; prints the log when it fails.
harness_initdb() {
	local data=$1 log=$2
	shift 2
	harness__as_server "$PG_BINDIR/initdb" -D "$data" -U postgres --no-sync --no-instructions \
		"$@" >"$log" 2>&1 || { cat "$log" >&2; return 1; }
}

harness__pg_ready() {
	"$PG_BINDIR/pg_isready" -q -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d postgres -t 1 >/dev/null 2>&1
}

harness__start_postgres() {
	PG_DATA=$HARNESS_TMP/pgdata
	PG_LOG=$HARNESS_TMP/logs/postgresql.log
	PG_SOCKET_DIR=$HARNESS_TMP
	PG_HOST=127.0.0.1
	local listen=127.0.0.1
	PG_HAS_IPV6=0
	if harness__has_ipv6_loopback; then
		PG_HAS_IPV6=1
		listen='127.0.0.1,::1'
	fi

	harness_initdb "$PG_DATA" "$HARNESS_TMP/logs/initdb.log" \
		--auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C ||
		{ harness__fail "initdb failed"; return 1; }

	# Appended last, so these win over initdb's defaults.
	cat >>"$PG_DATA/postgresql.conf" <<-EOF

		# --- pgpulse test harness ---
		listen_addresses = '$listen'
		port = $PG_PORT
		unix_socket_directories = '$PG_SOCKET_DIR'
		unix_socket_permissions = 0777
		max_connections = 20
		superuser_reserved_connections = 3
		ssl = on
		ssl_cert_file = '$PG_SERVER_CERT'
		ssl_key_file = '$PG_SERVER_KEY'
		log_connections = on
		log_disconnections = on
		log_line_prefix = '%m [%p] %q%u@%d app=%a '
		lc_messages = 'C'
		timezone = 'UTC'
		# Otherwise the defaults a user's server has: no
		# client_connection_check_interval, so a query left running by a
		# client that gave up shows (a test that needs a setting sets it).
		# Throwaway cluster: speed over durability.
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		shared_buffers = 16MB
	EOF
	cat >"$PG_DATA/pg_hba.conf" <<-'EOF'
		# TYPE    DATABASE USER     ADDRESS       METHOD
		local     all      all                    trust
		hostssl   all      postgres 127.0.0.1/32  trust
		hostssl   all      postgres ::1/128       trust
		host      all      postgres 127.0.0.1/32  trust
		host      all      postgres ::1/128       trust
		host      all      all      127.0.0.1/32  scram-sha-256
		host      all      all      ::1/128       scram-sha-256
	EOF

	harness_pg_start || return 1

	pg_admin "CREATE ROLE app LOGIN PASSWORD '$HARNESS_APP_PASSWORD'" \
		"CREATE ROLE limited LOGIN PASSWORD '$HARNESS_LIMITED_PASSWORD' CONNECTION LIMIT 2" \
		"CREATE DATABASE appdb OWNER app" \
		"ALTER ROLE app SET statement_timeout = '30s'" >/dev/null ||
		{ harness__fail "cannot create the test roles and database"; return 1; }
}

# harness_pg_start / harness_pg_stop: for tests that need the server down
# for a while (refused, shutting down). run.sh restarts a server a test
# left stopped, and fails that test.
harness_pg_start() {
	harness__pg_ctl start -w -t 30 -s -l "$PG_LOG" >"$HARNESS_TMP/logs/pg_ctl.log" 2>&1 ||
		{
			cat "$HARNESS_TMP/logs/pg_ctl.log" >&2
			tail -n 20 "$PG_LOG" >&2 2>/dev/null
			harness__fail "PostgreSQL did not start on port $PG_PORT"
			return 1
		}
	wait_until 10 harness__pg_ready || { harness__fail "PostgreSQL does not accept connections"; return 1; }
}

harness_pg_stop() {
	local mode=${1:-fast} pid
	[ -f "$PG_DATA/postmaster.pid" ] || return 0
	pid=$(head -n1 "$PG_DATA/postmaster.pid" 2>/dev/null) || true
	[[ $pid =~ ^[0-9]+$ ]] || pid=
	if ! harness__pg_ctl stop -m "$mode" -w -t 10 -s >/dev/null 2>&1; then
		harness__log "pg_ctl stop -m $mode did not finish; stopping immediately"
		harness__pg_ctl stop -m immediate -w -t 5 -s >/dev/null 2>&1 || true
	fi
	# pg_ctl returns once postmaster.pid is gone, a moment before the
	# process itself: wait for it, so "stopped" means stopped.
	[ -n "$pid" ] || return 0
	if ! wait_until 10 harness__pid_dead "$pid"; then
		harness__log "killing postmaster $pid"
		kill -KILL "$pid" 2>/dev/null || true
		wait_until 5 harness__pid_dead "$pid" || true
	fi
}

harness_pg_running() {
	harness__pg_ready
}

# pg_admin SQL...: runs each SQL string (its own -c, so CREATE DATABASE
# works) as superuser postgres over the Unix socket; prints unaligned,
# tuples-only output.
pg_admin() {
	local args=() sql
	for sql in "$@"; do
		args+=(-c "$sql")
	done
	PGAPPNAME=pgpulse-harness PGCONNECT_TIMEOUT=10 PGOPTIONS='' \
		"$PG_BINDIR/psql" -X -A -t -q -v ON_ERROR_STOP=1 \
		-h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d postgres "${args[@]}" </dev/null
}

# pgpulse_open_count [APPNAME]: rows in pg_stat_activity with that
# application_name (default pgpulse).
pgpulse_open_count() {
	local app=${1:-pgpulse}
	pg_admin "SELECT count(*) FROM pg_stat_activity WHERE application_name = '${app//\'/\'\'}'"
}

# ---------------------------------------------------------------- PgBouncer

harness__start_bouncer() {
	local d=$HARNESS_TMP/bouncer
	mkdir -p "$d"
	BOUNCER_INI=$d/pgbouncer.ini
	BOUNCER_LOG=$HARNESS_TMP/logs/pgbouncer.log
	BOUNCER_PIDFILE=$HARNESS_TMP/run/pgbouncer.pid
	BOUNCER_HOST=127.0.0.1
	# PgBouncer trusts its clients but logs in to PostgreSQL with the
	# passwords from the auth file (SCRAM works from plain passwords).
	cat >"$d/userlist.txt" <<-EOF
		"app" "$HARNESS_APP_PASSWORD"
		"limited" "$HARNESS_LIMITED_PASSWORD"
		"postgres" ""
		"monitor" ""
	EOF
	cat >"$BOUNCER_INI" <<-EOF
		[databases]
		appdb = host=127.0.0.1 port=$PG_PORT dbname=appdb
		postgres = host=127.0.0.1 port=$PG_PORT dbname=postgres

		[pgbouncer]
		listen_addr = 127.0.0.1
		listen_port = $BOUNCER_PORT
		unix_socket_dir = $HARNESS_TMP
		auth_type = trust
		auth_file = $d/userlist.txt
		admin_users = postgres
		; monitor: a read-only console user (t_pooler.sh); app has no console right
		stats_users = postgres, monitor
		pool_mode = session
		default_pool_size = 2
		max_client_conn = 6
		query_wait_timeout = 3
		; a failed server login is cached this long; keep tests independent
		server_login_retry = 1
		logfile = $BOUNCER_LOG
		pidfile = $BOUNCER_PIDFILE
		ignore_startup_parameters = extra_float_digits
	EOF
	chmod 600 "$d/userlist.txt"
	[ -n "${HARNESS_USER:-}" ] && chown -R "$HARNESS_USER" "$d"
	harness__as_server "$HARNESS_PGBOUNCER" -d -q "$BOUNCER_INI" >"$HARNESS_TMP/logs/pgbouncer.start" 2>&1 </dev/null ||
		{
			cat "$HARNESS_TMP/logs/pgbouncer.start" "$BOUNCER_LOG" >&2 2>/dev/null
			harness__fail "PgBouncer did not start"
			return 1
		}
	wait_until 10 harness__port_listening "$BOUNCER_PORT" ||
		{ tail -n 20 "$BOUNCER_LOG" >&2 2>/dev/null; harness__fail "PgBouncer is not listening on port $BOUNCER_PORT"; return 1; }
}

harness_bouncer_running() {
	local pid
	pid=$(head -n1 "$BOUNCER_PIDFILE" 2>/dev/null) || return 1
	harness__pid_alive "$pid" && harness__port_listening "$BOUNCER_PORT"
}

# harness_bouncer_start: (re)starts PgBouncer with the harness's settings.
harness_bouncer_start() {
	harness__start_bouncer
}

harness__bouncer_no_servers() {
	local out
	out=$(bouncer_admin "SHOW SERVERS" 2>/dev/null) || return 1
	[ -z "$out" ]
}

harness__pg_quiet() {
	local c
	c=$(pg_admin "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()" 2>/dev/null) || return 1
	[ "$c" = 0 ]
}

# harness_reset: between tests, back to a fresh state: PgBouncer drops its
# pooled server connections (they hold PostgreSQL slots) and PostgreSQL
# has no client sessions. Returns 1 (with the reason) if that cannot be had.
harness_reset() {
	local rc=0
	if harness_bouncer_running; then
		bouncer_admin "RECONNECT" >/dev/null 2>&1 || true
		wait_until 5 harness__bouncer_no_servers ||
			{ harness__log "PgBouncer still holds server connections"; rc=1; }
	fi
	if ! wait_until 5 harness__pg_quiet; then
		harness__log "client sessions still open in PostgreSQL:"
		pg_admin "SELECT pid, usename, application_name, client_addr, client_port, state, left(query, 60) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()" >&2 2>/dev/null || true
		rc=1
	fi
	return $rc
}

# bouncer_admin CMD: runs a PgBouncer admin console command (SHOW POOLS, ...).
bouncer_admin() {
	PGCONNECT_TIMEOUT=10 PGOPTIONS='' "$PG_BINDIR/psql" -X -A -t -q -F '|' \
		-h 127.0.0.1 -p "$BOUNCER_PORT" -U postgres -d pgbouncer -c "$1" </dev/null
}

# ---------------------------------------------------------------- fake servers

harness__install_fake_server() {
	local dest=$HARNESS_TMP/bin/fake_server
	mkdir -p "$HARNESS_TMP/bin"
	if [ -n "${FAKE_SERVER:-}" ]; then
		[ -x "$FAKE_SERVER" ] ||
			{ harness__fail "FAKE_SERVER=$FAKE_SERVER is not an executable (run 'make check' or build tests/fake_server)"; return 1; }
		cp "$FAKE_SERVER" "$dest" || return 1
	else
		# Run by hand without a build: compile it ourselves.
		local src=$HARNESS_SRCDIR/../fake_server.c
		${CC:-cc} -O1 -Wall -Wextra -o "$dest" "$src" 2>"$HARNESS_TMP/logs/fake_server.build" ||
			{ cat "$HARNESS_TMP/logs/fake_server.build" >&2; harness__fail "cannot build $src (set FAKE_SERVER)"; return 1; }
	fi
	chmod 755 "$dest"
	HARNESS_FAKE_BIN=$dest
}

# fake_server_start NAME MODE [fake_server options...]
# Starts a fake server on a fresh loopback port and prints the port. Its
# accept count is in "$HARNESS_TMP/run/fakes/NAME.count" (fake_server_count
# NAME). Servers started from a test are stopped after that test.
fake_server_start() {
	local name=${1:?fake_server_start: name missing} mode=${2:?fake_server_start: mode missing}
	shift 2
	local dir=$HARNESS_TMP/run/fakes
	[ "${HARNESS_GLOBAL_FAKES:-0}" = 1 ] && dir=$HARNESS_TMP/run/fakes-global
	mkdir -p "$dir" "$HARNESS_TMP/run/fakes" "$HARNESS_TMP/run/fakes-global"
	[ -n "${HARNESS_USER:-}" ] && chown "$HARNESS_USER" "$dir"
	if [ -e "$HARNESS_TMP/run/fakes/$name.pid" ] || [ -e "$HARNESS_TMP/run/fakes-global/$name.pid" ]; then
		harness__fail "fake server '$name' already running"
		return 1
	fi
	local port
	port=$(harness_free_port) || return 1
	harness__as_server "$HARNESS_FAKE_BIN" --host 127.0.0.1 --port "$port" --mode "$mode" \
		--pidfile "$dir/$name.pid" --countfile "$dir/$name.count" "$@" \
		>"$dir/$name.out" 2>&1 </dev/null &
	if ! wait_until 10 grep -qx ready "$dir/$name.out"; then
		cat "$dir/$name.out" >&2
		harness__fail "fake server '$name' ($mode) did not start on port $port"
		return 1
	fi
	echo "$port" >"$dir/$name.port"
	echo "$port"
}

# fake_server_count NAME: connections the fake server NAME has accepted.
fake_server_count() {
	local f
	for f in "$HARNESS_TMP/run/fakes/$1.count" "$HARNESS_TMP/run/fakes-global/$1.count"; do
		[ -f "$f" ] && { cat "$f"; return 0; }
	done
	harness__fail "no fake server named '$1'"
}

# fake_server_stop NAME
fake_server_stop() {
	local f
	for f in "$HARNESS_TMP/run/fakes/$1.pid" "$HARNESS_TMP/run/fakes-global/$1.pid"; do
		harness__kill_pidfile "$f"
	done
}

# fake_server_reports DIR: prints sanitizer reports from the fake servers'
# output in DIR; returns 1 if there were any.
harness__fake_server_reports() {
	local f rc=0
	for f in "$1"/*.out; do
		[ -e "$f" ] || continue
		if grep -qE 'Sanitizer|runtime error:' "$f"; then
			echo "fake server ${f##*/}: sanitizer report:" >&2
			sed 's/^/    /' "$f" >&2
			rc=1
		fi
	done
	return $rc
}

# Stops the fake servers tests started (the harness's own stay up);
# returns 1 if one of them reported a sanitizer error.
fake_server_stop_test_servers() {
	local f rc=0
	for f in "$HARNESS_TMP"/run/fakes/*.pid; do
		[ -e "$f" ] && harness__kill_pidfile "$f"
	done
	harness__fake_server_reports "$HARNESS_TMP/run/fakes" || rc=1
	rm -f "$HARNESS_TMP"/run/fakes/* 2>/dev/null
	return $rc
}

harness__start_fakes() {
	HARNESS_GLOBAL_FAKES=1
	FAKE_SESSION_PORT=$(fake_server_start session error --sqlstate XX000 \
		--message "$HARNESS_SESSION_MESSAGE") || return 1
	FAKE_SILENT_PORT=$(fake_server_start silent silent) || return 1
	HARNESS_GLOBAL_FAKES=0
	FAKE_SESSION_COUNTFILE=$HARNESS_TMP/run/fakes-global/session.count
	FAKE_SILENT_COUNTFILE=$HARNESS_TMP/run/fakes-global/silent.count
}

# ---------------------------------------------------------------- held connections

# hold_connections N APPNAME [USER] [PORT]
# Opens N psql sessions to 127.0.0.1:PORT (default PG_PORT) as USER (default
# postgres; app and limited get their passwords, others $HOLD_PASSWORD),
# each running `SELECT pg_sleep(3600)` with application_name=APPNAME.
# Returns once every session is in (bounded), or 1 with psql's error.
# Knobs: HOLD_DB (default postgres), HOLD_QUERY (default the pg_sleep; empty
# = connect and stay idle, which through PgBouncer holds a client slot but
# no server), HOLD_TIMEOUT (default 15 s).
hold_connections() {
	local n=${1:?hold_connections: N missing} app=${2:?hold_connections: APPNAME missing}
	local user=${3:-postgres} port=${4:-$PG_PORT}
	local db=${HOLD_DB:-postgres} query=${HOLD_QUERY-SELECT pg_sleep(3600)}
	local timeout=${HOLD_TIMEOUT:-15}
	local pw=
	case $user in
	app) pw=$HARNESS_APP_PASSWORD ;;
	limited) pw=$HARNESS_LIMITED_PASSWORD ;;
	esac
	[ -n "${HOLD_PASSWORD+set}" ] && pw=$HOLD_PASSWORD

	local dir=$HARNESS_TMP/holds
	mkdir -p "$dir"
	local ids=() i id
	for ((i = 0; i < n; i++)); do
		id=h$(harness__now_us)-$BASHPID-$i
		ids+=("$id")
		printf '%s\n' "$app" >"$dir/$id.app"
		[ -n "$query" ] && : >"$dir/$id.active"
		# The writer feeds psql its script and then keeps the pipe open, so
		# an idle session stays idle; \! marks the moment psql is connected.
		{
			printf '%s\n' "$BASHPID" >"$dir/$id.writer"
			printf '\\! touch %q\n' "$dir/$id.up"
			# The server runs the default client_connection_check_interval
			# (0); these helper sessions set their own, so a killed psql
			# frees its slot even when every slot (the superuser's too) is
			# taken and pg_terminate_backend cannot get in.
			[ -n "$query" ] && printf 'SET client_connection_check_interval = 100;\n%s;\n' "$query"
			exec sleep 86400
		} </dev/null | PGPASSWORD=$pw PGAPPNAME=$app PGCONNECT_TIMEOUT=10 PGOPTIONS='' \
			"$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 \
			-h 127.0.0.1 -p "$port" -U "$user" -d "$db" \
			>"$dir/$id.out" 2>"$dir/$id.err" &
		printf '%s\n' "$!" >"$dir/$id.psql"
	done

	# Every session connected, or one failed: stop at the first failure.
	local deadline=$(($(harness__now_us) + $(harness__seconds_to_us "$timeout")))
	local pending
	while :; do
		pending=0
		for id in "${ids[@]}"; do
			[ -e "$dir/$id.up" ] && continue
			harness__hold_check_alive "$id" "$app" "$user" "$port" || { harness__release_ids "${ids[@]}"; return 1; }
			pending=$((pending + 1))
		done
		((pending == 0)) && break
		if (($(harness__now_us) >= deadline)); then
			harness__log "hold_connections: $pending of $n sessions '$app' not connected after ${timeout}s"
			harness__release_ids "${ids[@]}"
			return 1
		fi
		sleep 0.05
	done

	# Running sessions also show up in pg_stat_activity (through PgBouncer
	# only once a server is theirs). With every slot taken even the
	# superuser cannot look; being connected is then proof enough.
	[ -n "$query" ] || return 0
	local want=0
	for id in "$dir"/*.active; do
		[ -e "$id" ] || continue
		id=${id##*/}
		id=${id%.active}
		[ "$(cat "$dir/$id.app" 2>/dev/null)" = "$app" ] && want=$((want + 1))
	done
	while ! harness__hold_visible "$app" "$want"; do
		for id in "${ids[@]}"; do
			harness__hold_check_alive "$id" "$app" "$user" "$port" || { harness__release_ids "${ids[@]}"; return 1; }
		done
		if (($(harness__now_us) >= deadline)); then
			harness__log "hold_connections: after ${timeout}s pg_stat_activity shows $(harness__hold_visible_count "$app") of $want sessions '$app' running"
			harness__release_ids "${ids[@]}"
			return 1
		fi
		sleep 0.1
	done
}

# Fails, saying why, when the psql of hold ID has exited.
harness__hold_check_alive() {
	local dir=$HARNESS_TMP/holds
	harness__pid_alive "$(cat "$dir/$1.psql" 2>/dev/null)" && return 0
	harness__log "hold_connections: a session '$2' as $3 to port $4 ended:"
	sed 's/^/    /' "$dir/$1.err" >&2
	return 1
}

harness__hold_visible_count() {
	pg_admin "SELECT count(*) FROM pg_stat_activity WHERE application_name = '${1//\'/\'\'}' AND state = 'active' AND query LIKE '%pg_sleep%'" 2>"$HARNESS_TMP/run/hold-check.err"
}

harness__hold_visible() {
	local count
	if count=$(harness__hold_visible_count "$1"); then
		((count >= $2))
	else
		grep -qE 'too many clients|remaining connection slots' "$HARNESS_TMP/run/hold-check.err"
	fi
}

harness__release_ids() {
	local dir=$HARNESS_TMP/holds id pids=() p apps=()
	for id in "$@"; do
		# The writer records its pid first thing; give it that moment, or
		# its sleep would outlive the session.
		wait_until 1 test -s "$dir/$id.writer" || true
		for p in "$dir/$id.psql" "$dir/$id.writer"; do
			[ -f "$p" ] && pids+=("$(cat "$p")")
		done
		[ -f "$dir/$id.app" ] && apps+=("$(cat "$dir/$id.app")")
	done
	for p in "${pids[@]}"; do
		[[ $p =~ ^[0-9]+$ ]] || continue
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${pids[@]}"; do
		[[ $p =~ ^[0-9]+$ ]] || continue
		wait_until 5 harness__pid_dead "$p" || kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true # reap our own children quietly
	done
	for id in "$@"; do
		rm -f "$dir/$id".*
	done
	# The clients are gone; make sure their backends are too.
	local app rc=0
	harness__pg_ready || return 0
	for app in $(printf '%s\n' "${apps[@]}" | sort -u); do
		if ! wait_until 2 harness__app_gone "$app"; then
			pg_admin "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '${app//\'/\'\'}'" >/dev/null 2>&1 || true
			wait_until 8 harness__app_gone "$app" ||
				{ harness__log "release_connections: sessions '$app' still in pg_stat_activity"; rc=1; }
		fi
	done
	return $rc
}

harness__app_gone() {
	local c
	c=$(pgpulse_open_count "$1" 2>/dev/null) || return 1
	[ "$c" = 0 ]
}

# release_connections [APPNAME]: ends the sessions hold_connections opened
# (only APPNAME's, or all) and waits until the server has let them go.
# shellcheck disable=SC2120 # tests pass APPNAME
release_connections() {
	local dir=$HARNESS_TMP/holds f id ids=()
	for f in "$dir"/*.psql; do
		[ -e "$f" ] || continue
		id=${f##*/}
		id=${id%.psql}
		if [ -z "${1:-}" ] || [ "$(cat "$dir/$id.app" 2>/dev/null)" = "$1" ]; then
			ids+=("$id")
		fi
	done
	[ ${#ids[@]} -gt 0 ] || return 0
	harness__release_ids "${ids[@]}"
}

# ---------------------------------------------------------------- start / stop

harness__write_env() {
	local f=$HARNESS_TMP/env.sh v
	{
		echo "# Written by harness_start; source it (with harness.sh) in test shells."
		for v in HARNESS_TMP HARNESS_USER HARNESS_SRCDIR HARNESS_FAKE_BIN HARNESS_PGBOUNCER \
			PG_BINDIR PG_DATA PG_HOST PG_PORT PG_SOCKET_DIR PG_LOG PG_CA PG_SERVER_CERT PG_SERVER_KEY PG_HAS_IPV6 \
			BOUNCER_HOST BOUNCER_PORT BOUNCER_LOG BOUNCER_INI BOUNCER_PIDFILE \
			FAKE_SESSION_PORT FAKE_SILENT_PORT FAKE_SESSION_COUNTFILE FAKE_SILENT_COUNTFILE REFUSED_PORT \
			APP_USER APP_PASSWORD APP_DB LIMITED_USER LIMITED_PASSWORD SESSION_MODE_MESSAGE \
			PG_APP_URL BOUNCER_APP_URL FAKE_SESSION_URL FAKE_SILENT_URL REFUSED_URL; do
			printf 'export %s=%q\n' "$v" "${!v}"
		done
	} >"$f"
	chmod 644 "$f"
}

# harness_start: starts everything; returns nonzero (with the reason on
# stderr) if anything fails, after cleaning up what it had started.
harness_start() {
	if [ -n "${HARNESS_OWNER_PID:-}" ]; then
		harness__fail "harness_start called twice"
		return 1
	fi
	local t0
	t0=$(harness__now_us)

	# The environment must not steer our clients elsewhere.
	unset PGHOST PGHOSTADDR PGPORT PGUSER PGPASSWORD PGDATABASE PGSERVICE PGSERVICEFILE \
		PGSSLMODE PGSSLROOTCERT PGAPPNAME PGOPTIONS PGCONNECT_TIMEOUT PGTARGETSESSIONATTRS \
		PGREQUIRESSL PGSSLCERT PGSSLKEY PGGSSENCMODE PGCLIENTENCODING DATABASE_URL

	HARNESS_SRCDIR=${HARNESS_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
	HARNESS_PGBOUNCER=${HARNESS_PGBOUNCER:-$(command -v pgbouncer || echo /usr/sbin/pgbouncer)}
	harness__require_tools || return 1
	harness__ensure_user || return 1

	HARNESS_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pgpulse-it.XXXXXX") ||
		{ harness__fail "mktemp -d failed"; return 1; }
	HARNESS_OWNER_PID=$BASHPID
	trap 'harness_stop' EXIT
	trap 'harness_stop; trap - INT; kill -INT $$' INT
	trap 'harness_stop; exit 143' TERM

	chmod 755 "$HARNESS_TMP"
	mkdir -p "$HARNESS_TMP"/{run,logs,holds,bin} "$HARNESS_TMP"/run/{fakes,fakes-global}
	: >"$HARNESS_TMP/run/ports"
	harness__install_fake_server || return 1

	PG_PORT=$(harness_free_port) || return 1
	BOUNCER_PORT=$(harness_free_port) || return 1
	REFUSED_PORT=$(harness_free_port) || return 1

	APP_USER=app APP_PASSWORD=$HARNESS_APP_PASSWORD APP_DB=appdb
	LIMITED_USER=limited LIMITED_PASSWORD=$HARNESS_LIMITED_PASSWORD
	SESSION_MODE_MESSAGE=$HARNESS_SESSION_MESSAGE

	harness__make_certs || return 1
	if [ -n "$HARNESS_USER" ]; then
		chown -R "$HARNESS_USER" "$HARNESS_TMP" || { harness__fail "cannot chown $HARNESS_TMP"; return 1; }
	fi
	harness__start_postgres || return 1
	harness__start_bouncer || return 1
	harness__start_fakes || return 1

	# Ready-made targets (the password is a test one; tests check it never
	# shows up in pgpulse's output).
	PG_APP_URL="postgresql://app:$HARNESS_APP_PASSWORD@127.0.0.1:$PG_PORT/appdb"
	BOUNCER_APP_URL="postgresql://app:$HARNESS_APP_PASSWORD@127.0.0.1:$BOUNCER_PORT/appdb"
	FAKE_SESSION_URL="postgresql://app:$HARNESS_APP_PASSWORD@127.0.0.1:$FAKE_SESSION_PORT/postgres"
	FAKE_SILENT_URL="postgresql://app:$HARNESS_APP_PASSWORD@127.0.0.1:$FAKE_SILENT_PORT/postgres"
	REFUSED_URL="postgresql://app:$HARNESS_APP_PASSWORD@127.0.0.1:$REFUSED_PORT/postgres"

	export HARNESS_TMP HARNESS_USER HARNESS_SRCDIR HARNESS_FAKE_BIN HARNESS_PGBOUNCER \
		PG_BINDIR PG_DATA PG_HOST PG_PORT PG_SOCKET_DIR PG_LOG PG_CA PG_SERVER_CERT PG_SERVER_KEY PG_HAS_IPV6 \
		BOUNCER_HOST BOUNCER_PORT BOUNCER_LOG BOUNCER_INI BOUNCER_PIDFILE \
		FAKE_SESSION_PORT FAKE_SILENT_PORT FAKE_SESSION_COUNTFILE FAKE_SILENT_COUNTFILE REFUSED_PORT \
		APP_USER APP_PASSWORD APP_DB LIMITED_USER LIMITED_PASSWORD SESSION_MODE_MESSAGE \
		PG_APP_URL BOUNCER_APP_URL FAKE_SESSION_URL FAKE_SILENT_URL REFUSED_URL
	harness__write_env
	local ms=$((($(harness__now_us) - t0) / 1000))
	harness__log "ready in ${ms} ms: postgres 127.0.0.1:$PG_PORT$([ "$PG_HAS_IPV6" = 1 ] && echo " [::1]:$PG_PORT"), pgbouncer :$BOUNCER_PORT, fake session :$FAKE_SESSION_PORT, fake silent :$FAKE_SILENT_PORT, refused :$REFUSED_PORT, tmp $HARNESS_TMP${HARNESS_USER:+, servers run as $HARNESS_USER}"
}

# harness_stop: stops everything harness_start started and removes its
# temporary directory. Safe to call more than once, and from any trap.
# shellcheck disable=SC2034 # HARNESS_FAKE_SERVER_FAILED is read by run.sh
harness_stop() {
	[ -n "${HARNESS_OWNER_PID:-}" ] && [ "$HARNESS_OWNER_PID" = "$BASHPID" ] || return 0
	if [ -z "${HARNESS_TMP:-}" ] || [ ! -d "$HARNESS_TMP" ]; then
		HARNESS_OWNER_PID=
		return 0
	fi
	local f
	# Every step is guarded: this runs from traps, maybe under set -e.
	# shellcheck disable=SC2119 # all of them
	release_connections >/dev/null 2>&1 || true
	for f in "$HARNESS_TMP"/run/fakes/*.pid "$HARNESS_TMP"/run/fakes-global/*.pid "$HARNESS_TMP/run/pgbouncer.pid"; do
		[ -e "$f" ] || continue
		harness__kill_pidfile "$f" || true
	done
	# A sanitizer report from a fake server: run.sh counts it as a failure.
	harness__fake_server_reports "$HARNESS_TMP/run/fakes-global" || HARNESS_FAKE_SERVER_FAILED=1
	harness__fake_server_reports "$HARNESS_TMP/run/fakes" || HARNESS_FAKE_SERVER_FAILED=1
	if [ -n "${PG_DATA:-}" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
		harness_pg_stop fast || true
	fi
	rm -rf "$HARNESS_TMP" || true
	HARNESS_OWNER_PID=
	trap - EXIT INT TERM
}
