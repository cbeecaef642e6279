# smoke.sls — weft-sls in seconds: 50 nodes, 20 small apps in two queues.
# tests/integration/sls_smoke.sh runs it under make check so the
# simulator keeps working; it proves nothing about speed.
[cluster]
duration-s = 60
heartbeat-interval-ms = 100
am-interval-ms = 100
am-pending-interval-ms = 20
sample-interval-ms = 250

[rm]
# Fewer public connections than weft-sls opens for submissions: the RM
# answers the extra ones 429 (Retry-After: 1), which libweft's client
# under the simulator must wait out and retry.
rm.http.max-connections-per-address = 2

[queues]
root.queues = a, b
root.a.capacity = 50
root.a.maximum-capacity = 100
root.b.capacity = 50
root.b.maximum-capacity = 100
maximum-am-resource-percent = 0.5

[nodes]
count = 50
memory-mb = 8192
vcores = 8
rack-size = 10

[queue root.a]
guarantee = 50
[queue root.b]
guarantee = 50

[apps small]
count = 15
queue = a
user = alice
submit-spread-s = 1
containers = 20
parallel = 10
duration-ms = 50-150

[apps hinted]
count = 5
queue = b
user = bob
containers = 10
duration-ms = 100
node-hints = 2
