#!/usr/bin/env bash
# Real proxy chains in front of the release `full-stack` example (issue 7).
#
# Starts real nginx, HAProxy and Caddy processes (foreground, configs in a
# temp dir, loopback only) and several instances of the example, each
# configured for the chain in front of it, then asserts from `GET /context`
# that the client address, scheme, host, port, home URL and request id are
# the ones the edge proxy saw, also when the client forges proxy headers.
#
# Chains (client -> ... -> app; each hop connects upstream from its own
# loopback address, and each app instance trusts exactly the addresses of the
# hops in front of it):
#
#   nginx            client -> nginx (127.0.0.11) -> app
#                    X-Forwarded-For $proxy_add_x_forwarded_for, X-Forwarded-
#                    Proto/Host/Port overwritten, X-Request-ID $request_id.
#                    App: rightmost:x-forwarded-for, x-forwarded.
#   nginx-forwarded  client -> nginx (127.0.0.11) -> app
#                    nginx appends an RFC 7239 element `for=..;proto=..;
#                    host=".."` (IPv6 quoted and bracketed) to any incoming
#                    Forwarded, and refuses (400) a Host that is not a plain
#                    host[:port]: nginx accepts `"` and `;` in Host, which would
#                    break out of host="..." and make the app see a malformed
#                    element (client_ip would then be nginx's own address).
#                    App: rightmost:forwarded, forwarded.
#   nginx-forwarded-unquoted
#                    client -> nginx (127.0.0.11) -> app
#                    proxy_set_header Forwarded "for=$remote_addr": one
#                    element, overwritten, with the address unquoted (an IPv6
#                    client is written `for=::1`, which RFC 7239 wants quoted
#                    and bracketed), Host $http_host. App: only
#                    CROCODILE_CLIENT_IP=rightmost:forwarded (the family
#                    follows), lenient grammar: the IPv6 client is ::1.
#                    A second app behind the same nginx config with only
#                    CROCODILE_PROXY_HEADERS=forwarded (the strategy follows)
#                    and CROCODILE_FORWARDED_GRAMMAR=strict shows what a strict
#                    parser does: the IPv6 client collapses onto nginx.
#   nginx-x-real-ip  client -> nginx (127.0.0.11) -> app
#                    X-Real-IP $remote_addr. App: single:x-real-ip.
#   cdn-edge         client -> nginx as a fake Cloudflare edge (127.0.0.11,
#                    CF-Connecting-IP) -> app trusting `cloudflare`, whose
#                    list a loopback HTTP server serves and the test changes
#                    at run time (CROCODILE_PROVIDER_REFRESH=1s).
#   nginx-rate-limit client -> nginx (127.0.0.11) -> examples/rate-limit.rs
#                    (tower_governor keyed by the real client, 2 requests
#                    per client): each client its own bucket, forged
#                    X-Forwarded-For buys none.
#   haproxy          client -> HAProxy (127.0.0.12) -> app
#                    option forwardfor; set-header X-Forwarded-Proto/Host/
#                    Port; X-Request-ID from `unique-id-format %[uuid()]`.
#   caddy            client -> Caddy (127.0.0.1) -> app
#                    reverse_proxy's own X-Forwarded-For/Proto/Host, plus
#                    header_up X-Forwarded-Port and X-Request-ID
#                    {http.request.uuid}. Caddy is the edge, so its
#                    `trusted_proxies` stays empty (the default): it then
#                    replaces, rather than extends, any X-Forwarded-* a client
#                    sends. (Trusting `private_ranges` here would trust the
#                    loopback clients too.) Caddy cannot choose its source
#                    address, so 127.0.0.1 is Caddy's alone.
#   caddy-haproxy-nginx
#                    client -> Caddy (127.0.0.1) -> HAProxy (127.0.0.12)
#                    -> nginx (127.0.0.11) -> app. Caddy is the edge (sets
#                    X-Forwarded-For/Proto/Host/Port and X-Request-ID); the
#                    inner hops only append to X-Forwarded-For (HAProxy adds a
#                    header line, nginx appends to the joined value) and pass
#                    the rest through; each inner hop accepts connections from
#                    the hop before it only. App: rightmost:x-forwarded-for
#                    trusting 127.0.0.1,127.0.0.12,127.0.0.11.
#   caddy-haproxy-nginx-hops
#                    the same chain, app with hops:3:x-forwarded-for (the
#                    count instead of the walk; same trusted set).
#   direct           client -> app (the nginx chain's instance), no proxy:
#                    every forged header is ignored.
#
# X-Forwarded-Port: none of nginx, HAProxy or Caddy writes it by default (a
# client's own value passes through), so the app no longer believes it unless
# CROCODILE_X_FORWARDED enables it; the port comes from X-Forwarded-Host. The
# edges here still overwrite it with the port they listen on, as a deployment
# that enables it must.
#
# "Forged" request id: an X-Request-ID the client sends. Every edge here
# overwrites it with its own id (nginx $request_id, HAProxy unique-id, Caddy
# {http.request.uuid}), which the edge also returns as X-Edge-Request-Id; the
# inner hops of the long chain pass the edge's id through. So `request_id`
# must equal X-Edge-Request-Id and never the client's value.
#
# Installs nginx, haproxy, caddy, jq and curl with apt-get when missing. If
# Caddy cannot be installed, its chains print one `SKIP` line each and are
# counted separately. Kills exactly the processes it started (by PID) and
# removes its temp dir on exit.
#
# Usage: scripts/real-proxies.sh        (from anywhere; builds the example)
#        REAL_PROXIES_SKIP_CADDY=1 scripts/real-proxies.sh   (as if Caddy were missing)
# Output: one `PASS <chain>: <case>` or `FAIL <chain>: <case>: expected X got Y`
# line per case, then `N passed, M failed[, K skipped]`; exit 1 on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '=== %s\n' "$*"; }

# ---------------------------------------------------------------- tools
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "need root (or sudo) to run: $*" >&2; return 1
  fi
}
apt_updated=0
apt_install() { # packages...; returns non-zero if any cannot be installed
  local install=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@")
  as_root "${install[@]}" >/dev/null 2>&1 && return 0
  if [ "$apt_updated" -eq 0 ]; then
    apt_updated=1
    as_root apt-get update -qq >/dev/null 2>&1 || true
  fi
  as_root "${install[@]}" >/dev/null
}
missing=()
for tool in nginx haproxy jq curl; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]}"
  apt_install "${missing[@]}"
fi
export PATH="$PATH:/usr/sbin:/sbin"
have_caddy=1
caddy_skip_reason="caddy is not installed and apt-get could not install it"
if [ "${REAL_PROXIES_SKIP_CADDY:-0}" = 1 ]; then
  have_caddy=0
  caddy_skip_reason="REAL_PROXIES_SKIP_CADDY=1"
  echo "WARNING: REAL_PROXIES_SKIP_CADDY=1: the Caddy chains are skipped" >&2
elif ! command -v caddy >/dev/null 2>&1; then
  say "installing caddy"
  if ! apt_install caddy || ! command -v caddy >/dev/null 2>&1; then
    have_caddy=0
    echo "WARNING: caddy could not be installed with apt-get; the Caddy chains are skipped" >&2
  fi
fi

# ---------------------------------------------------------------- the example
say "cargo build --release --example full-stack --features providers, --example rate-limit"
cargo build --release --example full-stack --features providers
cargo build --release --example rate-limit --features governor
target_dir=$(cargo metadata --format-version 1 --no-deps | jq -r .target_directory)
bin="$target_dir/release/examples/full-stack"
[ -x "$bin" ] || { echo "no example binary at $bin" >&2; exit 1; }
rate_limit_bin="$target_dir/release/examples/rate-limit"
[ -x "$rate_limit_bin" ] || { echo "no example binary at $rate_limit_bin" >&2; exit 1; }

# ---------------------------------------------------------------- processes
tmp=$(mktemp -d "${TMPDIR:-/tmp}/real-proxies.XXXXXX")
chmod 755 "$tmp" # nginx workers (user nobody when started as root) read below it
pids=()
declare -A pid_name=()
cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "warning: ${pid_name[$pid]} (pid $pid) ignored SIGTERM; SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start() { # name command...: runs in the background, logs to $tmp/<name>.log
  local name="$1"; shift
  "$@" >"$tmp/$name.log" 2>&1 &
  pids+=("$!")
  pid_name[$!]="$name"
  last_pid=$!
}

dump_logs() {
  local f
  for f in "$tmp"/*.log "$tmp"/nginx/*.log; do
    [ -s "$f" ] || continue
    echo "----- ${f#"$tmp"/} (last 30 lines)"
    tail -n 30 "$f"
  done
}

die() { echo "error: $*" >&2; dump_logs >&2; exit 1; }

used_ports=" "
free_port() { # var: a port nobody listens on (127.0.0.1 nor ::1), below the ephemeral range
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 12000))
    case "$used_ports" in *" $port "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null &&
       ! (exec 3<>"/dev/tcp/::1/$port") 2>/dev/null; then
      used_ports+="$port "
      printf -v "$1" '%s' "$port"
      return 0
    fi
  done
  die "no free port found"
}

start_app() { # name env-assignments...: starts the example on 127.0.0.1:0; sets app_port
  local name="$1"; shift
  start "app-$name" env CROCODILE_ADDR=127.0.0.1:0 RUST_LOG=warn "$@" "${app_bin:-$bin}"
  local pid=$last_pid line
  app_port=
  for _ in $(seq 1 100); do
    line=$(grep -m1 -o 'listening on http://127\.0\.0\.1:[0-9]*' "$tmp/app-$name.log" 2>/dev/null || true)
    if [ -n "$line" ]; then app_port=${line##*:}; return 0; fi
    kill -0 "$pid" 2>/dev/null || die "app-$name exited during start-up"
    sleep 0.1
  done
  die "app-$name did not report its address within 10 s"
}

wait_http() { # name pid url: until the server answers anything (bounded)
  local name="$1" pid="$2" url="$3" code
  for _ in $(seq 1 100); do
    code=$(curl -g -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)
    [ "$code" != "000" ] && [ -n "$code" ] && return 0
    kill -0 "$pid" 2>/dev/null || die "$name exited during start-up"
    sleep 0.1
  done
  die "$name did not answer $url within ~20 s"
}

# ---------------------------------------------------------------- addresses
NGINX_SRC=127.0.0.11   # nginx proxy_bind
HAPROXY_SRC=127.0.0.12 # HAProxy server ... source
CADDY_SRC=127.0.0.1    # Caddy cannot choose; kept for Caddy alone
CLIENT_A=127.0.0.50
CLIENT_B=127.0.0.51
FORGED_IP=203.0.113.9

# ---------------------------------------------------------------- a fake CDN
# The cdn-edge chain: nginx plays a Cloudflare edge (127.0.0.11, setting
# CF-Connecting-IP), and a static HTTP server on loopback serves the
# provider list in Cloudflare's JSON format, changed while the app runs
# (synthetic lists: nobody's real ranges).
cdn_dir="$tmp/cdn"
mkdir -p "$cdn_dir"
cdn_list() { # cidr: the served list trusts exactly this IPv4 range
  printf '{"result":{"ipv4_cidrs":["%s"],"ipv6_cidrs":["2001:db8::/32"]},"success":true}\n' "$1" >"$cdn_dir/cf.json.tmp"
  mv "$cdn_dir/cf.json.tmp" "$cdn_dir/cf.json"
}
cdn_list "$NGINX_SRC/32"
p_cdn_list=''
free_port p_cdn_list
start cdn-list python3 -m http.server "$p_cdn_list" --bind 127.0.0.1 --directory "$cdn_dir"
wait_http cdn-list "$last_pid" "http://127.0.0.1:$p_cdn_list/cf.json"

# ---------------------------------------------------------------- apps
say "starting the example instances"
start_app cdn-edge CROCODILE_TRUSTED_PROXIES=cloudflare CROCODILE_CLIENT_IP=single:cf-connecting-ip \
  CROCODILE_PROVIDER_URLS="cloudflare=http://127.0.0.1:$p_cdn_list/cf.json" CROCODILE_PROVIDER_REFRESH=1s
app_cdn=$app_port
start_app nginx CROCODILE_TRUSTED_PROXIES=$NGINX_SRC CROCODILE_CLIENT_IP=rightmost:x-forwarded-for
app_nginx=$app_port
start_app nginx-forwarded CROCODILE_TRUSTED_PROXIES=$NGINX_SRC CROCODILE_CLIENT_IP=rightmost:forwarded \
  CROCODILE_PROXY_HEADERS=forwarded
app_nginx_fwd=$app_port
start_app nginx-forwarded-unquoted CROCODILE_TRUSTED_PROXIES=$NGINX_SRC CROCODILE_CLIENT_IP=rightmost:forwarded
app_nginx_fwd_bare=$app_port
start_app nginx-forwarded-strict CROCODILE_TRUSTED_PROXIES=$NGINX_SRC CROCODILE_PROXY_HEADERS=forwarded \
  CROCODILE_FORWARDED_GRAMMAR=strict
app_nginx_fwd_strict=$app_port
start_app nginx-x-real-ip CROCODILE_TRUSTED_PROXIES=$NGINX_SRC CROCODILE_CLIENT_IP=single:x-real-ip
app_nginx_rip=$app_port
app_bin=$rate_limit_bin start_app nginx-rate-limit CROCODILE_TRUSTED_PROXIES=$NGINX_SRC \
  RATE_LIMIT_BURST=2 RATE_LIMIT_REFILL_MS=600000
app_nginx_rl=$app_port
start_app haproxy CROCODILE_TRUSTED_PROXIES=$HAPROXY_SRC
app_haproxy=$app_port
long_trusted="$CADDY_SRC,$HAPROXY_SRC,$NGINX_SRC"
if [ "$have_caddy" -eq 1 ]; then
  start_app caddy CROCODILE_TRUSTED_PROXIES=$CADDY_SRC
  app_caddy=$app_port
  start_app long CROCODILE_TRUSTED_PROXIES=$long_trusted CROCODILE_CLIENT_IP=rightmost:x-forwarded-for
  app_long=$app_port
  start_app long-hops CROCODILE_TRUSTED_PROXIES=$long_trusted CROCODILE_CLIENT_IP=hops:3:x-forwarded-for
  app_long_hops=$app_port
fi

# ---------------------------------------------------------------- proxy ports
p_nginx='' p_nginx_rl='' p_cdn_edge='' p_nginx_fwd='' p_nginx_fwd_bare='' p_nginx_fwd_strict='' p_nginx_rip='' p_haproxy='' p_caddy='' p_caddy_long='' p_caddy_long_hops=''
p_mid='' p_mid_hops='' p_inner='' p_inner_hops=''
free_port p_nginx; free_port p_nginx_fwd; free_port p_nginx_rip
free_port p_nginx_fwd_bare; free_port p_nginx_fwd_strict; free_port p_nginx_rl; free_port p_cdn_edge
free_port p_haproxy
free_port p_caddy; free_port p_caddy_long; free_port p_caddy_long_hops
free_port p_mid; free_port p_mid_hops       # HAProxy, inside the long chain
free_port p_inner; free_port p_inner_hops   # nginx, inside the long chain

# ---------------------------------------------------------------- nginx
mkdir -p "$tmp/nginx"
nginx_edge_xff() { # the X-Forwarded-* headers an edge nginx writes
  cat <<EOF
      proxy_bind $NGINX_SRC;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Forwarded-Host \$http_host;
      proxy_set_header X-Forwarded-Port \$server_port;
      proxy_set_header X-Real-IP \$remote_addr;
      proxy_set_header X-Request-ID \$request_id;
      add_header X-Edge-Request-Id \$request_id always;
EOF
}
nginx_inner() { # name listen-port app-port: the innermost hop of the long chain
  cat <<EOF
  # $1: the innermost hop of the long chain; only HAProxy may connect. It
  # appends to X-Forwarded-For and passes the edge's X-Forwarded-Proto/Host/
  # Port and X-Request-ID through untouched (nginx's default).
  server {
    listen 127.0.0.1:$2;
    allow $HAPROXY_SRC;
    deny all;
    location / {
      proxy_pass http://127.0.0.1:$3;
      proxy_bind $NGINX_SRC;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }
EOF
}
cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 256; }
http {
  access_log $tmp/nginx/access.log;
  client_body_temp_path $tmp/nginx/client_body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  default_type application/octet-stream;

  # RFC 7239: an IPv6 node is bracketed and quoted, an IPv4 one is a token.
  map \$remote_addr \$crocodile_forwarded_for {
    ~:      "\"[\$remote_addr]\"";
    default "\$remote_addr";
  }
  # The Host goes into a quoted-string, and nginx accepts a Host with quotes
  # and semicolons: only a plain host[:port] may be written there, else a
  # client could end the string and break the element (the app would then
  # treat the element as malformed and fall back to the peer, this proxy).
  map \$http_host \$crocodile_plain_host {
    "~^(?:[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]+)?\$" 1;
    default 0;
  }
  # Append this hop's element to whatever Forwarded came in (like
  # \$proxy_add_x_forwarded_for does for X-Forwarded-For).
  map \$http_forwarded \$crocodile_add_forwarded {
    ""      "for=\$crocodile_forwarded_for;proto=\$scheme;host=\"\$http_host\"";
    default "\$http_forwarded, for=\$crocodile_forwarded_for;proto=\$scheme;host=\"\$http_host\"";
  }

  # nginx: X-Forwarded-*
  server {
    listen 127.0.0.1:$p_nginx;
    listen [::1]:$p_nginx;
    location / {
      proxy_pass http://127.0.0.1:$app_nginx;
$(nginx_edge_xff)
    }
  }

  # nginx-forwarded: RFC 7239 Forwarded only
  server {
    listen 127.0.0.1:$p_nginx_fwd;
    listen [::1]:$p_nginx_fwd;
    if (\$crocodile_plain_host = 0) { return 400; }
    location / {
      proxy_pass http://127.0.0.1:$app_nginx_fwd;
      proxy_bind $NGINX_SRC;
      proxy_set_header Forwarded \$crocodile_add_forwarded;
      proxy_set_header X-Request-ID \$request_id;
      add_header X-Edge-Request-Id \$request_id always;
    }
  }

  # nginx-forwarded-unquoted (and -strict): Forwarded "for=\$remote_addr",
  # as nginx configs and AWS API Gateway write it: unquoted, IPv6 unbracketed.
  server {
    listen 127.0.0.1:$p_nginx_fwd_bare;
    listen [::1]:$p_nginx_fwd_bare;
    location / {
      proxy_pass http://127.0.0.1:$app_nginx_fwd_bare;
      proxy_bind $NGINX_SRC;
      proxy_set_header Host \$http_host;
      proxy_set_header Forwarded "for=\$remote_addr";
      proxy_set_header X-Request-ID \$request_id;
      add_header X-Edge-Request-Id \$request_id always;
    }
  }
  server {
    listen 127.0.0.1:$p_nginx_fwd_strict;
    listen [::1]:$p_nginx_fwd_strict;
    location / {
      proxy_pass http://127.0.0.1:$app_nginx_fwd_strict;
      proxy_bind $NGINX_SRC;
      proxy_set_header Host \$http_host;
      proxy_set_header Forwarded "for=\$remote_addr";
      proxy_set_header X-Request-ID \$request_id;
    }
  }

  # cdn-edge: a fake Cloudflare edge, CF-Connecting-IP overwritten.
  server {
    listen 127.0.0.1:$p_cdn_edge;
    location / {
      proxy_pass http://127.0.0.1:$app_cdn;
      proxy_bind $NGINX_SRC;
      proxy_set_header CF-Connecting-IP \$remote_addr;
    }
  }

  # nginx-rate-limit: examples/rate-limit.rs (2 requests per client, no refill
  # within the run) behind a stock X-Forwarded-For nginx.
  server {
    listen 127.0.0.1:$p_nginx_rl;
    listen [::1]:$p_nginx_rl;
    location / {
      proxy_pass http://127.0.0.1:$app_nginx_rl;
      proxy_bind $NGINX_SRC;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }

  # nginx-x-real-ip: the same headers, the app reads X-Real-IP
  server {
    listen 127.0.0.1:$p_nginx_rip;
    listen [::1]:$p_nginx_rip;
    location / {
      proxy_pass http://127.0.0.1:$app_nginx_rip;
$(nginx_edge_xff)
    }
  }

$(if [ "$have_caddy" -eq 1 ]; then
    nginx_inner caddy-haproxy-nginx "$p_inner" "$app_long"
    nginx_inner caddy-haproxy-nginx-hops "$p_inner_hops" "$app_long_hops"
  fi)
}
EOF

# ---------------------------------------------------------------- HAProxy
haproxy_middle() { # name listen-port nginx-port
  cat <<EOF

# $1: the middle hop; only Caddy may connect. option forwardfor adds an
# X-Forwarded-For line; everything else passes through.
frontend $1
  bind 127.0.0.1:$2
  http-request deny unless { src $CADDY_SRC }
  option forwardfor
  default_backend $1-nginx

backend $1-nginx
  server nginx 127.0.0.1:$3 source $HAPROXY_SRC
EOF
}
cat >"$tmp/haproxy.cfg" <<EOF
global
  maxconn 256

defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s

# haproxy: the edge
frontend haproxy
  bind 127.0.0.1:$p_haproxy
  bind [::1]:$p_haproxy
  unique-id-format %[uuid()]
  option forwardfor
  http-request set-header X-Forwarded-Proto http
  http-request set-header X-Forwarded-Host %[req.hdr(host)]
  http-request set-header X-Forwarded-Port %[dst_port]
  http-request set-header X-Request-ID %[unique-id]
  http-response set-header X-Edge-Request-Id %[unique-id]
  default_backend haproxy-app

backend haproxy-app
  server app 127.0.0.1:$app_haproxy source $HAPROXY_SRC
$(if [ "$have_caddy" -eq 1 ]; then
    haproxy_middle caddy-haproxy-nginx "$p_mid" "$p_inner"
    haproxy_middle caddy-haproxy-nginx-hops "$p_mid_hops" "$p_inner_hops"
  fi)
EOF

# ---------------------------------------------------------------- Caddy
caddy_site() { # listen-port upstream-port
  cat <<EOF

http://:$1 {
  bind 127.0.0.1 [::1]
  header X-Edge-Request-Id {http.request.uuid}
  reverse_proxy 127.0.0.1:$2 {
    header_up X-Forwarded-Port $1
    header_up X-Request-ID {http.request.uuid}
  }
}
EOF
}
if [ "$have_caddy" -eq 1 ]; then
  mkdir -p "$tmp/caddy"
  {
    cat <<EOF
{
  admin off
  auto_https off
}
EOF
    caddy_site "$p_caddy" "$app_caddy"
    caddy_site "$p_caddy_long" "$p_mid"
    caddy_site "$p_caddy_long_hops" "$p_mid_hops"
  } >"$tmp/caddy/Caddyfile"
fi

# ---------------------------------------------------------------- start proxies
say "starting nginx, haproxy$([ "$have_caddy" -eq 1 ] && echo ', caddy')"
nginx -t -q -p "$tmp/nginx" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" ||
  die "nginx rejected its configuration"
start nginx nginx -p "$tmp/nginx" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" -g 'daemon off;'
nginx_pid=$last_pid
haproxy -c -q -f "$tmp/haproxy.cfg" || die "haproxy rejected its configuration"
start haproxy haproxy -db -f "$tmp/haproxy.cfg"
haproxy_pid=$last_pid
if [ "$have_caddy" -eq 1 ]; then
  start caddy env HOME="$tmp/caddy" XDG_CONFIG_HOME="$tmp/caddy" XDG_DATA_HOME="$tmp/caddy" \
    caddy run --config "$tmp/caddy/Caddyfile" --adapter caddyfile
  caddy_pid=$last_pid
fi
wait_http nginx "$nginx_pid" "http://127.0.0.1:$p_nginx/context"
wait_http nginx "$nginx_pid" "http://[::1]:$p_nginx_rip/context"
wait_http haproxy "$haproxy_pid" "http://127.0.0.1:$p_haproxy/context"
if [ "$have_caddy" -eq 1 ]; then
  wait_http caddy "$caddy_pid" "http://127.0.0.1:$p_caddy/context"
  wait_http caddy "$caddy_pid" "http://[::1]:$p_caddy_long_hops/context"
fi

# ---------------------------------------------------------------- assertions
passed=0
failed=0
skipped=0
check() { # chain case expected got
  if [ "$3" = "$4" ]; then
    echo "PASS $1: $2"
    passed=$((passed + 1))
  else
    echo "FAIL $1: $2: expected ${3:-<empty>} got ${4:-<empty>}"
    failed=$((failed + 1))
  fi
}
check_ne() { # chain case unwanted got
  if [ -n "$4" ] && [ "$3" != "$4" ]; then
    echo "PASS $1: $2"
    passed=$((passed + 1))
  else
    echo "FAIL $1: $2: expected a non-empty value other than ${3:-<empty>} got ${4:-<empty>}"
    failed=$((failed + 1))
  fi
}
skip() { echo "SKIP $1: $2"; skipped=$((skipped + 1)); }

# fetch interface url [curl args...]: sets code, body, and the lowercase
# response header lookup `hdr NAME`.
fetch() {
  local interface="$1" url="$2"; shift 2
  rm -f "$tmp/headers" "$tmp/body"
  code=$(curl -g -sS --max-time 10 --interface "$interface" -D "$tmp/headers" -o "$tmp/body" \
    -w '%{http_code}' "$@" "$url" 2>"$tmp/curl.err") || code="curl-error:$(tr '\n' ' ' <"$tmp/curl.err")"
  body=$(cat "$tmp/body" 2>/dev/null || true)
  [ -f "$tmp/headers" ] || : >"$tmp/headers"
}
hdr() { # NAME: the value of a response header (last one), or empty
  tr -d '\r' <"$tmp/headers" | awk -v name="$1" '
    { i = index($0, ":"); if (i && tolower(substr($0, 1, i - 1)) == tolower(name)) { v = substr($0, i + 1); sub(/^[ \t]+/, "", v); last = v } }
    END { print last }'
}
with_body() { [ "$code" = 400 ] || printf ' (body %s)' "${body:0:300}"; }
field() { jq -r --arg k "$1" '.[$k] // empty | tostring' <<<"$body" 2>/dev/null || echo "<not JSON: ${body:0:80}>"; }

forged_headers=(
  -H "X-Forwarded-For: $FORGED_IP, $NGINX_SRC"
  -H "Forwarded: for=$FORGED_IP;proto=https;host=evil.example, for=$NGINX_SRC"
  -H "X-Real-IP: $FORGED_IP"
  -H "X-Forwarded-Host: evil.example"
  -H "X-Forwarded-Proto: https"
  -H "X-Forwarded-Port: 6666"
  -H "X-Request-ID: forged-request-id"
)

# run_chain chain edge-port expected-peer edge-id-header
run_chain() {
  local chain="$1" port="$2" peer="$3" edge_id="$4"
  local base="http://localhost:$port"
  local home="http://localhost:$port/"

  # A plain request from CLIENT_A.
  fetch "$CLIENT_A" "$base/context"
  check "$chain" "plain request answers 200" 200 "$code"
  check "$chain" "client_ip is the client" "$CLIENT_A" "$(field client_ip)"
  check "$chain" "peer is the last hop's source address" "$peer" "$(field peer)"
  check "$chain" "scheme is the edge's" http "$(field scheme)"
  check "$chain" "host is the edge's" localhost "$(field host)"
  check "$chain" "port is the edge's" "$port" "$(field port)"
  check "$chain" "home_url is the edge's" "$home" "$(field home_url)"
  if [ -n "$edge_id" ]; then
    local id
    id=$(hdr "$edge_id")
    check_ne "$chain" "the edge generated a request id" "" "$id"
    check "$chain" "request_id is the edge's id" "$id" "$(field request_id)"
    check "$chain" "x-request-id echoed on the response is the edge's id" "$id" "$(hdr x-request-id)"
  fi

  # Each forged header alone, then all of them at once, from CLIENT_B.
  local forged name
  for forged in "X-Forwarded-For: $FORGED_IP" "X-Forwarded-For: $FORGED_IP, $NGINX_SRC, $HAPROXY_SRC" \
    "Forwarded: for=$FORGED_IP" "Forwarded: for=$FORGED_IP;proto=https;host=evil.example" \
    "Forwarded: for=$FORGED_IP, for=$NGINX_SRC;proto=https;host=evil.example" \
    'Forwarded: for="[2001:db8::1' "X-Real-IP: $FORGED_IP" "X-Forwarded-Host: evil.example" \
    "X-Forwarded-Host: localhost:6666" "X-Forwarded-Proto: https" "X-Forwarded-Port: 6666"; do
    name="forged '$forged'"
    fetch "$CLIENT_B" "$base/context" -H "$forged"
    check "$chain" "$name: answers 200" 200 "$code"
    check "$chain" "$name: client_ip is the client" "$CLIENT_B" "$(field client_ip)"
    check "$chain" "$name: home_url is the edge's" "$home" "$(field home_url)"
  done
  fetch "$CLIENT_B" "$base/context" "${forged_headers[@]}"
  name="all forged headers at once"
  check "$chain" "$name: answers 200" 200 "$code"
  check "$chain" "$name: client_ip is the client" "$CLIENT_B" "$(field client_ip)"
  check "$chain" "$name: scheme is the edge's" http "$(field scheme)"
  check "$chain" "$name: host is the edge's" localhost "$(field host)"
  check "$chain" "$name: port is the edge's" "$port" "$(field port)"
  check "$chain" "$name: home_url is the edge's" "$home" "$(field home_url)"
  check_ne "$chain" "$name: request_id is not the client's" forged-request-id "$(field request_id)"
  if [ -n "$edge_id" ]; then
    check "$chain" "$name: request_id is the edge's id" "$(hdr "$edge_id")" "$(field request_id)"
  fi
  local first_id
  first_id=$(field request_id)
  fetch "$CLIENT_B" "$base/context" -H "X-Request-ID: forged-request-id"
  check_ne "$chain" "forged X-Request-ID twice: a fresh id each time" "$first_id" "$(field request_id)"
  check_ne "$chain" "forged X-Request-ID: request_id is not the client's" forged-request-id "$(field request_id)"

  # Another allowed host, through the same edge.
  fetch "$CLIENT_A" "http://127.0.0.1:$port/context"
  check "$chain" "Host 127.0.0.1: home_url is the edge's" "http://127.0.0.1:$port/" "$(field home_url)"
  check "$chain" "Host 127.0.0.1: client_ip is the client" "$CLIENT_A" "$(field client_ip)"

  # An IPv6 client (::1 is the only IPv6 loopback address).
  fetch ::1 "http://[::1]:$port/context"
  check "$chain" "IPv6 client: answers 200" 200 "$code"
  check "$chain" "IPv6 client: client_ip is ::1" ::1 "$(field client_ip)"
  check "$chain" "IPv6 client: host is [::1]" "[::1]" "$(field host)"
  check "$chain" "IPv6 client: home_url is the edge's" "http://[::1]:$port/" "$(field home_url)"

  # A Host that tries to break out of a quoted string or a list is refused
  # (by the edge or by the app), never believed.
  fetch "$CLIENT_A" "$base/context" -H 'Host: localhost";proto="https'
  check "$chain" "Host with a quote and ';proto=': 400" 400 "$code$(with_body)"
  fetch "$CLIENT_A" "$base/context" -H 'Host: localhost, evil.example'
  check "$chain" "Host 'localhost, evil.example': 400" 400 "$code$(with_body)"

  # A disallowed host gets the app's 400 through the chain.
  fetch "$CLIENT_A" "$base/context" -H 'Host: evil.example'
  check "$chain" "Host evil.example: 400" 400 "$code"
  check "$chain" "Host evil.example: the app's reason" "host not allowed" "$body"
  fetch "$CLIENT_A" "$base/context" -H "Host: evil.example:$port"
  check "$chain" "Host evil.example:<edge port>: 400" 400 "$code"
}

say "running the chains"
run_chain nginx "$p_nginx" "$NGINX_SRC" x-edge-request-id
run_chain nginx-forwarded "$p_nginx_fwd" "$NGINX_SRC" x-edge-request-id
run_chain nginx-forwarded-unquoted "$p_nginx_fwd_bare" "$NGINX_SRC" x-edge-request-id
fetch ::1 "http://[::1]:$p_nginx_fwd_bare/context"
check nginx-forwarded-unquoted "IPv6 client: the source is Forwarded's element 0" "forwarded[0]" "$(field client_ip_source)"
check nginx-forwarded-unquoted "IPv6 client: no fallback" "" "$(field client_ip_fallback)"
# The strict grammar refuses `for=::1`: the walk stops there and the client
# collapses onto nginx, which is why lenient is the default.
fetch ::1 "http://[::1]:$p_nginx_fwd_strict/context"
check nginx-forwarded-strict "IPv6 client: answers 200" 200 "$code"
check nginx-forwarded-strict "IPv6 client: collapses onto nginx" "$NGINX_SRC" "$(field client_ip)"
check nginx-forwarded-strict "IPv6 client: malformed-entry" malformed-entry "$(field client_ip_fallback)"
fetch "$CLIENT_A" "http://localhost:$p_nginx_fwd_strict/context"
check nginx-forwarded-strict "IPv4 client: client_ip is the client" "$CLIENT_A" "$(field client_ip)"
run_chain nginx-x-real-ip "$p_nginx_rip" "$NGINX_SRC" x-edge-request-id

# The fake CDN: its list is changed at run time and the app follows within
# its 1 s refresh; a broken list changes nothing.
cdn="http://localhost:$p_cdn_edge/context"
until_client() { # expected: polls (at most ~10 s) until client_ip is it
  for _ in $(seq 1 50); do
    fetch "$CLIENT_A" "$cdn" -H "CF-Connecting-IP: $FORGED_IP"
    [ "$(field client_ip)" = "$1" ] && return 0
    sleep 0.2
  done
}
fetch "$CLIENT_A" "$cdn" -H "CF-Connecting-IP: $FORGED_IP"
check cdn-edge "the listed edge is believed: client_ip is the client" "$CLIENT_A" "$(field client_ip)"
check cdn-edge "its source is cf-connecting-ip[0]" "cf-connecting-ip[0]" "$(field client_ip_source)"
cdn_list "198.51.100.0/24"
until_client "$NGINX_SRC"
check cdn-edge "the list drops the edge: its header is no longer believed" "$NGINX_SRC" "$(field client_ip)"
check cdn-edge "and the fallback says why" untrusted-peer "$(field client_ip_fallback)"
cdn_list "$NGINX_SRC/32"
until_client "$CLIENT_A"
check cdn-edge "the list takes the edge back" "$CLIENT_A" "$(field client_ip)"
printf '{"result":{"ipv4_cidrs":["0.0.0.0/0"],"ipv6_cidrs":[]},"success":true}\n' >"$cdn_dir/cf.json"
sleep 2.5
fetch "$CLIENT_A" "$cdn" -H "CF-Connecting-IP: $FORGED_IP"
check cdn-edge "a list trusting 0.0.0.0/0 is refused: the last good one stays" "$CLIENT_A" "$(field client_ip)"
fetch "$CLIENT_A" "http://127.0.0.1:$app_cdn/context" -H "CF-Connecting-IP: $FORGED_IP"
check cdn-edge "a client bypassing the edge cannot forge CF-Connecting-IP" "$CLIENT_A" "$(field client_ip)"

# A rate limit per real client behind nginx: each client its own bucket of
# 2, a forged X-Forwarded-For buys no new one, nginx's address is nobody's.
rl="http://127.0.0.1:$p_nginx_rl/"
for i in 1 2; do
  fetch "$CLIENT_A" "$rl"
  check nginx-rate-limit "client A request $i: 200" 200 "$code"
done
fetch "$CLIENT_A" "$rl"
check nginx-rate-limit "client A request 3: 429" 429 "$code"
fetch "$CLIENT_B" "$rl"
check nginx-rate-limit "client B has its own bucket: 200" 200 "$code"
for forged in "$FORGED_IP" "$FORGED_IP, 198.51.100.1" "$CLIENT_A"; do
  fetch "$CLIENT_B" "$rl" -H "X-Forwarded-For: $forged"
done
check nginx-rate-limit "client B forging X-Forwarded-For three times: still its own bucket (429)" 429 "$code"
fetch ::1 "http://[::1]:$p_nginx_rl/"
check nginx-rate-limit "an IPv6 client has its own /64 bucket: 200" 200 "$code"
run_chain haproxy "$p_haproxy" "$HAPROXY_SRC" x-edge-request-id
if [ "$have_caddy" -eq 1 ]; then
  run_chain caddy "$p_caddy" "$CADDY_SRC" x-edge-request-id
  run_chain caddy-haproxy-nginx "$p_caddy_long" "$NGINX_SRC" x-edge-request-id
  run_chain caddy-haproxy-nginx-hops "$p_caddy_long_hops" "$NGINX_SRC" x-edge-request-id

  # The inner hops refuse anyone but the hop before them.
  fetch "$CLIENT_A" "http://127.0.0.1:$p_mid/context"
  check caddy-haproxy-nginx "HAProxy (middle) refuses a client that bypasses Caddy" 403 "$code"
  fetch "$CLIENT_A" "http://127.0.0.1:$p_inner/context"
  check caddy-haproxy-nginx "nginx (inner) refuses a client that bypasses HAProxy" 403 "$code"
else
  for chain in caddy caddy-haproxy-nginx caddy-haproxy-nginx-hops; do
    skip "$chain" "$caddy_skip_reason"
  done
fi

# The app without a proxy: an untrusted peer's headers are all ignored.
fetch "$CLIENT_A" "http://127.0.0.1:$app_nginx/context" "${forged_headers[@]}"
check direct "answers 200" 200 "$code"
check direct "client_ip is the peer, not a forged header" "$CLIENT_A" "$(field client_ip)"
check direct "home_url is from Host, not X-Forwarded-*" "http://127.0.0.1:$app_nginx/" "$(field home_url)"
check_ne direct "request_id is not the client's" forged-request-id "$(field request_id)"
fetch "$CLIENT_A" "http://127.0.0.1:$app_nginx_fwd/context" "${forged_headers[@]}"
check direct "Forwarded-family app: client_ip is the peer" "$CLIENT_A" "$(field client_ip)"
check direct "Forwarded-family app: home_url is from Host" "http://127.0.0.1:$app_nginx_fwd/" "$(field home_url)"
fetch "$CLIENT_A" "http://127.0.0.1:$app_nginx_rip/context" "${forged_headers[@]}"
check direct "X-Real-IP app: client_ip is the peer" "$CLIENT_A" "$(field client_ip)"

# Every server we started is still up (none crashed on the hostile headers).
for pid in "${pids[@]}"; do
  if kill -0 "$pid" 2>/dev/null; then alive=yes; else alive=no; fi
  check processes "${pid_name[$pid]} still running" yes "$alive"
done

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary+=", $skipped skipped"
if [ "$failed" -gt 0 ]; then dump_logs; fi
echo "$summary"
[ "$failed" -eq 0 ]
