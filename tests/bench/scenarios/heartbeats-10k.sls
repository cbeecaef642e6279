# heartbeats-10k.sls — how many NM heartbeats the RM handles: 10,000
# nodes heartbeating every 100 ms (100,000/s offered, more than one core
# can take), no applications, for 30 s.  The report's "NM heartbeats"
# line is the RM's sustained rate.
[cluster]
duration-s = 30
heartbeat-interval-ms = 100

[rm]
# Three heartbeats must fit in the liveness expiry; the default is fine.

[nodes]
count = 10000
memory-mb = 65536
vcores = 32
