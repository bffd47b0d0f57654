#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A throw-away PostgreSQL server for tests and benchmarks:
#
#   scripts/pg-server.sh start DIR   initdb into DIR/data, start the server
#                                    listening on a Unix socket in DIR only (no
#                                    TCP), print its connection string on stdout
#   scripts/pg-server.sh stop DIR    stop it (fast shutdown); a no-op when it is
#                                    not running
#
# The server runs as an unprivileged user: yourself, or when run as root (which
# PostgreSQL refuses to be) the "postgres" user of Debian's package, else
# "nobody".  DIR must then be reachable by that user: it is created when
# missing and handed to the user; its parents must be searchable (o+x).
# Authentication is "trust" on the socket: the socket is in DIR, which no
# one else is given.  The database is "postgres", the superuser the user the
# server runs as.  Exit status: 0, 2 bad usage, 4 PostgreSQL is not installed
# (the reason on stderr: a test skips), 1 the server failed (its log is shown).
set -eu

die() { echo "pg-server: $*" >&2; exit "${2:-1}"; }

[ $# = 2 ] || die "usage: pg-server.sh start|stop DIR" 2
cmd=$1
case $2 in /*) dir=$2 ;; *) dir=$PWD/$2 ;; esac
case $dir in *[!A-Za-z0-9/._+-]*) die "'$dir': only letters, digits and /._+- in DIR (it goes into a URI)" 2 ;; esac

bindir() {
	local b
	b=$(pg_config --bindir 2>/dev/null || true)
	[ -x "$b/initdb" ] || b=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -n "$b" ] && [ -x "$b/initdb" ] && [ -x "$b/pg_ctl" ] ||
		die "PostgreSQL's server is not installed (apt-get install postgresql)" 4
	echo "$b"
}

# as_user CMD...: run CMD as the server's user.
server_user() {
	if [ "$(id -u)" != 0 ]; then id -un
	elif id postgres >/dev/null 2>&1; then echo postgres
	else echo nobody
	fi
}
as_user() {
	if [ "$(id -u)" != 0 ]; then "$@"; else runuser -u "$(server_user)" -- "$@"; fi
}

start() {
	local b user
	b=$(bindir)
	user=$(server_user)
	mkdir -p "$dir"
	[ ! -e "$dir/data/postmaster.pid" ] || die "a server already runs in '$dir' (stop it first)" 2
	if [ "$(id -u)" = 0 ]; then
		chown "$user" "$dir"
		chmod 700 "$dir"
		as_user test -x "$dir" ||
			die "'$dir' is not reachable by user $user: make its parents searchable (chmod o+x)" 2
	fi
	if [ ! -e "$dir/data/PG_VERSION" ]; then
		as_user "$b/initdb" -D "$dir/data" -U "$user" --auth=trust --encoding=UTF8 \
			--locale=C >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
	fi
	# listen_addresses='': no TCP at all; the socket lives in DIR
	as_user "$b/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-c listen_addresses='' -c unix_socket_directories='$dir'" start >/dev/null ||
		{ tail -n 20 "$dir/server.log" >&2; die "the server did not start"; }
	echo "postgresql:///postgres?host=$dir&user=$user"
}

stop() {
	local b
	[ -e "$dir/data/postmaster.pid" ] || return 0
	b=$(bindir)
	as_user "$b/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null ||
		die "cannot stop the server in '$dir'"
}

case $cmd in
start) start ;;
stop) stop ;;
*) die "usage: pg-server.sh start|stop DIR" 2 ;;
esac
