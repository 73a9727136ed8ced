"""
Distal reward: dopamine-modulated STDP singles out one synapse
==============================================================

Izhikevich 2007, Fig. 1: whenever the postsynaptic neuron of one chosen synapse fires
shortly after its presynaptic neuron, dopamine is released 1–3 s later. Only the
chosen synapse's eligibility trace is reliably positive when dopamine comes, so its
weight grows while the others drift down; the same number of rewards at random times
(right) singles out nothing. The ``distal-reward`` experiment at the reduced size of its
tests: 300 neurons (each still receives 80 excitatory and 25 inhibitory synapses on
average, as in the full network of 1000), the published code's 20 ms pairing
interval, rewards 0.5–1 s after the pairing and 2 simulated minutes instead of an
hour (``neurosim run distal-reward --set contingent=false`` runs the full network).
"""

from neurosim.experiments import distal_reward

result = distal_reward.run(
    n_neurons=300,
    window_ms=20.0,
    reward_delay_s=[0.5, 1.0],
    duration_min=2.0,
    sample_s=2.0,
    contingent=False,
    seeds=1,
)
learnt = result.summary["contingent_runs"]
print(
    f"contingent: chosen synapse at {learnt['w_target']:.2f} w_max, percentile "
    f"{learnt['target_percentile']:.1f}, {learnt['n_rewards_per_seed'][0]} rewards"
)
print(
    f"control:    chosen synapse at {result.summary['w_target']:.2f} w_max, percentile "
    f"{result.summary['target_percentile']:.1f}"
)
result.figures["distal_reward"]
