# preemption.sls — a queue imbalance that only preemption resolves.
# 1,000 nodes of 8 GB / 8 vcores (8,000 one-GB slots).  Queue "batch"
# (guarantee 30%, may grow to 100%) fills the idle cluster with 5-minute
# tasks; 20 s later "prod" (guarantee 70%) asks for more than its
# guarantee.  Without preemption prod would wait minutes for batch's
# tasks to end; with it the RM marks batch containers (told to the AMs
# in their allocate answers), kills them after 5 s (exit status -102),
# and both queues settle at 30/70.  Shares are judged from 80 s (once
# preemption has acted) to 140 s.
[cluster]
duration-s = 150
heartbeat-interval-ms = 250
am-interval-ms = 250
am-pending-interval-ms = 100
fairness-from-s = 80
fairness-to-s = 140

[rm]
rm.scheduler.preemption.enabled = true
rm.scheduler.preemption.monitoring-interval-ms = 1000
rm.scheduler.preemption.max-wait-before-kill-ms = 5000

[queues]
root.queues = batch, prod
root.batch.capacity = 30
root.batch.maximum-capacity = 100
root.batch.user-limit-factor = 4
root.prod.capacity = 70
root.prod.maximum-capacity = 100

[nodes]
count = 1000
memory-mb = 8192
vcores = 8

[queue root.batch]
guarantee = 30
[queue root.prod]
guarantee = 70

[apps batch]
count = 10
queue = batch
user = batch
containers = 2000
parallel = 2000
duration-ms = 300000

[apps prod]
count = 10
queue = prod
user = prod
submit-at-s = 20
submit-spread-s = 2
containers = 3000
parallel = 1000
duration-ms = 240000
