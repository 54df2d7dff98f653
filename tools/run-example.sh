#!/bin/sh
# The main job on the embedded default (`make run`): check the example
# configuration, import the example zone into the SQLite file it names
# (hpagent.db under the repository), list the zones, then run the daemon
# in the foreground (Ctrl-C stops it). Try, from another terminal:
#   kdig @127.0.0.1 -p 5300 -y hmac-sha256:secretkey0:<secret> example.com AXFR
set -eu
bin=${1:-./hpagent}
conf=${HPAGENT_CONF:-agent.conf.example}
# The example holds a TSIG secret: as hpagent advises, not for other users.
chmod o-r "$conf" 2>/dev/null || true
"$bin" -c "$conf" check-conf
"$bin" -c "$conf" import example.com
"$bin" -c "$conf" zones
"$bin" -c "$conf" history example.com
echo "hpagent: serving on the addresses of $conf (Ctrl-C to stop)"
# As root without a username: line hpagent refuses to serve unless told
# (README, "Operating hpagent"); the example stays root deliberately.
exec "$bin" -c "$conf" serve --allow-root
