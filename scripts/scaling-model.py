#!/usr/bin/env python3
"""The scaling model of docs/scaling-out.md: data-parallel GPT step time and communication, and where distributed Muon
pays off. Prints the tables in the document. Every constant is an argument of the functions below; the defaults are
stated in the document."""

def params(d, L, V=96, T=128):
    hidden = 12 * L * d * d                 # W_q, W_k, W_v, W_o (4d^2) + MLP W_1, W_2 (8d^2) per layer
    return hidden, hidden + V * d + T * d + 2 * (2 * L + 1) * d   # + embeddings, positions, norm gains/biases

def step(d, N, gbps, L=4, T=128, seqs_per_rank=16, flops=2e11, latency=10e-6, muon=None):
    """Seconds per step on N nodes (weak scaling: each rank 16 sequences of 128 tokens) and bytes sent per rank."""
    hidden, P = params(d, L)
    bw = gbps * 1e9 / 8
    tokens = seqs_per_rank * T
    compute = (6 * P + 12 * L * T * d) * tokens / flops     # forward + backward, attention scores included
    ring = 2 * (N - 1) / N * 4 * P                           # ring all-reduce of fp32 gradients, bytes per rank
    allreduce = ring / bw + 2 * (N - 1) * latency
    ns_total = 5 * L * (4 * 6 * d**3 + 2 * 18 * d**3)        # 5 Newton-Schulz steps: d x d (6d^3/step), d x 4d (18d^3/step)
    msign_all = ns_total / flops                             # every rank orthogonalises every matrix
    largest = 5 * 18 * d**3
    msign_split = max(ns_total / N, largest) / flops         # balanced shares; one matrix cannot be split
    gather = (N - 1) / N * 4 * hidden / bw + (N - 1) * latency   # all-gather of the fp32 results
    base = compute + allreduce
    return dict(compute=compute, allreduce=allreduce, ring_bytes=ring, msign_all=msign_all,
                msign_dist=msign_split + gather, gather_bytes=(N - 1) / N * 4 * hidden,
                step_adamw=base, step_muon_all=base + msign_all, step_muon_dist=base + msign_split + gather)

def crossover_d(gbps, flops):
    """Width above which distributed msign beats redundant msign for large N: 300 L d^3 / F > 48 L d^2 / BW."""
    return 48 * flops / (300 * gbps * 1e9 / 8)

if __name__ == "__main__":
    for gbps in (10, 100):
        print(f"\n### {gbps} Gb/s, F = 0.2 TFLOP/s per node (this machine's 2 cores), L = 4, 16 x 128 tokens per rank\n")
        print("| d | N | compute ms | all-reduce ms (MB/rank) | step AdamW ms | DP efficiency | Muon msign everywhere ms | distributed msign ms (+MB) | Muon step, distributed ms |")
        print("|---|---|---|---|---|---|---|---|---|")
        for d in (256, 512, 1024, 2048):
            for N in (2, 8, 64):
                s = step(d, N, gbps)
                print(f"| {d} | {N} | {s['compute']*1e3:.0f} | {s['allreduce']*1e3:.1f} ({s['ring_bytes']/1e6:.0f}) | {s['step_adamw']*1e3:.0f} | "
                      f"{s['compute']/s['step_adamw']:.0%} | {s['msign_all']*1e3:.1f} | {s['msign_dist']*1e3:.1f} (+{s['gather_bytes']/1e6:.0f}) | {s['step_muon_dist']*1e3:.0f} |")
    print("\n### Width above which distributed msign pays (large N)\n")
    print("| node | 10 Gb/s | 100 Gb/s |\n|---|---|---|")
    for name, f in (("CPU node, 0.2 TFLOP/s", 2e11), ("CPU node, 2 TFLOP/s", 2e12), ("GPU, 100 TFLOP/s", 1e14)):
        print(f"| {name} | d > {crossover_d(10, f):.0f} | d > {crossover_d(100, f):.0f} |")
