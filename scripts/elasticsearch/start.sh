#!/usr/bin/env bash
# Start a real single-node Elasticsearch in the background for tests (see README.md).
# stdout: ES_URL=, ES_USERNAME=, ES_PASSWORD= lines, then the URL (credentials embedded) alone on the last line.
# Progress, timing and errors go to stderr.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
state_dir="$(cd "$here/../.." && pwd)/tmp/elasticsearch"
pid_file="$state_dir/es.pid"
case "${ES_VERSION:-8}" in
  8) version=8.19.21 ;;
  9) version=9.5.3 ;;
  *) version=$ES_VERSION ;;
esac
major=${version%%.*}
port=${ES_PORT:-9200}
password=${ES_PASSWORD:-ai-gateway-test}
security=${ES_SECURITY:-true}
timeout=${ES_START_TIMEOUT:-180}
work=${ES_WORK_DIR:-$state_dir}
log() { echo "[elasticsearch] $*" >&2; }

t0=$(date +%s%N)
"$here/stop.sh"
mkdir -p "$state_dir" "$work"

# Elasticsearch refuses to run as root: run it as a dedicated system user instead.
run_as=()
if [ "$(id -u)" = 0 ]; then
  id elasticsearch >/dev/null 2>&1 ||
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin elasticsearch
  run_as=(setpriv --reuid=elasticsearch --regid=elasticsearch --init-groups)
  if ! "${run_as[@]}" test -x "$work"; then # e.g. a checkout under /root
    work=/tmp/ai-gateway-elasticsearch
    mkdir -p "$work"
  fi
fi

# A JDK (with javac) new enough for this major: 17 for 8.x, 21 for 9.x.
need=17; [ "$major" -ge 9 ] && need=21
if [ -z "${ES_JAVA_HOME:-}" ]; then
  java_bin=$(command -v java || true)
  for j in ${JAVA_HOME:-} ${java_bin:+"$(dirname "$(dirname "$(readlink -f "$java_bin")")")"} /usr/lib/jvm/* /opt/java/*; do
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$j/release" 2>/dev/null || true)
    if [ -x "$j/bin/javac" ] && [ "${v:-0}" -ge "$need" ]; then ES_JAVA_HOME=$j; break; fi
  done
  [ -n "${ES_JAVA_HOME:-}" ] || { log "ERROR: no JDK >= $need found; set ES_JAVA_HOME"; exit 1; }
fi
export ES_JAVA_HOME
unset JAVA_HOME

# The distribution: Elastic's test zip on Maven Central (cached in ~/.m2), unpacked once per version.
home="$work/elasticsearch-$version"
if [ ! -f "$home/.ready" ]; then
  log "fetching org.elasticsearch.distribution.integ-test-zip:elasticsearch:$version:zip through Maven"
  rm -rf "$home" "$work/dist"
  mvn -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy -DoutputDirectory="$work/dist" \
    -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$version:zip" >"$work/mvn.out" 2>&1 ||
    { tail -n 30 "$work/mvn.out" >&2; log "ERROR: Maven could not fetch Elasticsearch $version"; exit 1; }
  unzip -q "$work/dist/elasticsearch-$version.zip" -d "$work"
  rm -rf "$work/dist"
  # That zip lacks the rest-root module, so `GET /` (client.info()) would fail: add a tiny stand-in module.
  mod="$home/modules/root-info"
  mkdir -p "$mod/classes"
  sed "/\/\/ES$([ "$major" -ge 9 ] && echo 8 || echo 9)\$/d" "$here/RootInfoPlugin.java" >"$mod/RootInfoPlugin.java"
  "$ES_JAVA_HOME/bin/javac" -nowarn --release "$need" -cp "$home/lib/*" -d "$mod/classes" "$mod/RootInfoPlugin.java"
  "$ES_JAVA_HOME/bin/jar" cf "$mod/root-info.jar" -C "$mod/classes" .
  rm -rf "$mod/classes" "$mod/RootInfoPlugin.java"
  printf '%s\n' description='GET / for tests' version="$version" name=root-info classname=aigateway.es.RootInfoPlugin \
    java.version="$need" elasticsearch.version="$version" >"$mod/plugin-descriptor.properties"
  touch "$home/.ready"
fi
if [ "$security" = true ] && [ "$(cat "$home/config/.bootstrap-password" 2>/dev/null)" != "$password" ]; then
  printf '%s' "$password" | "$home/bin/elasticsearch-keystore" add -x -f bootstrap.password >&2
  printf '%s' "$password" >"$home/config/.bootstrap-password"
fi

cat >"$home/config/elasticsearch.yml" <<EOF
cluster.name: ai-gateway-test
node.name: node-1
path.data: $work/data
path.logs: $work/logs
network.host: 127.0.0.1
http.port: $port
transport.port: ${ES_TRANSPORT_PORT:-$((port + 100))}
discovery.type: single-node
xpack.security.enabled: $security
xpack.security.http.ssl.enabled: false
xpack.security.transport.ssl.enabled: false
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
EOF
rm -rf "$work/data" "$work/logs" "$work/server.pid"
mkdir -p "$work/data" "$work/logs"
[ "${#run_as[@]}" -eq 0 ] || chown -R elasticsearch:elasticsearch "$work"

fail() {
  log "ERROR: $1"
  { grep -v '^\s*at ' "$work/startup.out" | tail -n 25; echo "--- first errors in $work/logs/ai-gateway-test.log:"
    grep -A1 -m3 '\]\[ERROR\]' "$work/logs/ai-gateway-test.log"; } >&2 2>/dev/null || true
  log "ERROR: $1"
  [ -f "$work/server.pid" ] && cp "$work/server.pid" "$pid_file" && "$here/stop.sh"
  exit 1
}
# -d returns once the node has started (or failed); -p makes the server JVM write its own PID.
ES_JAVA_OPTS="-Xms${ES_HEAP:-512m} -Xmx${ES_HEAP:-512m} -XX:-AlwaysPreTouch ${ES_JAVA_OPTS:-}" \
  timeout "$timeout" "${run_as[@]}" "$home/bin/elasticsearch" -d -p "$work/server.pid" >"$work/startup.out" 2>&1 ||
  fail "Elasticsearch $version did not start (exit $?)"
cp "$work/server.pid" "$pid_file"
auth=()
[ "$security" = true ] && auth=(-u "elastic:$password")
curl -fsS -o /dev/null "${auth[@]}" "http://127.0.0.1:$port/_cluster/health?wait_for_status=yellow&timeout=${timeout}s" ||
  fail "cluster health did not reach yellow on port $port"

log "Elasticsearch $version started in $(((($(date +%s%N) - t0) / 1000000))) ms (pid $(cat "$pid_file"), java $ES_JAVA_HOME, dir $work)"
echo "ES_URL=http://127.0.0.1:$port"
if [ "$security" = true ]; then
  echo "ES_USERNAME=elastic"
  echo "ES_PASSWORD=$password"
  echo "http://elastic:$password@127.0.0.1:$port"
else
  echo "http://127.0.0.1:$port"
fi
