#!/usr/bin/env python3
"""PyTorch reference for bench/train-decode.bench.mjs: the same two models, sizes and data shapes,
timed the same way, printed as one JSON line on stdout.

Models (as @encdec/core builds them): Embedding(10000, 32) -> LSTM(32) encoder, its final (h, c)
start an Embedding(10000, 32) -> LSTM(32) decoder -> Linear(32, 10000) logits. The attention model
adds Luong et al. 2015 global "dot" attention without input feeding (eq. 5-6): scores h_t . s_j,
softmax over the source, context c_t, then tanh(W_c [c_t; h_t]) (no bias) feeds the output layer.
Training: RMSprop(lr 0.001), cross-entropy on logits ignoring target id 0, batch 64, 20 target
tokens, at 100 and 500 source tokens. Greedy decoding: 64 rows x 20 steps, log-softmax + argmax.

Run with Debian's python3-torch and libopenblas0-pthread (the default reference BLAS is 3-4x
slower, bench/PERFORMANCE.md):  /usr/bin/python3 bench/pytorch_reference.py
"""
import json
import resource
import time

import torch
from torch import nn

torch.set_num_threads(2)  # Debian's torch starts with one thread on this machine
torch.manual_seed(0)
VOCAB, EMBED, UNITS, BATCH, TGT_LEN, MAX_LENGTH = 10_000, 32, 32, 64, 20, 20


class Seq2Seq(nn.Module):
    def __init__(self, attention):
        super().__init__()
        self.attention = attention
        self.enc_embedding = nn.Embedding(VOCAB, EMBED)
        self.enc_lstm = nn.LSTM(EMBED, UNITS, batch_first=True)
        self.dec_embedding = nn.Embedding(VOCAB, EMBED)
        self.dec_lstm = nn.LSTM(EMBED, UNITS, batch_first=True)
        self.combine = nn.Linear(2 * UNITS, UNITS, bias=False) if attention else None
        self.output = nn.Linear(UNITS, VOCAB)

    def encode(self, src):
        outputs, state = self.enc_lstm(self.enc_embedding(src))  # [batch, srcLen, units]
        return outputs, state

    def decode(self, tgt_in, state, enc_outputs):
        h, state = self.dec_lstm(self.dec_embedding(tgt_in), state)  # [batch, tgtLen, units]
        if self.attention:
            scores = torch.bmm(h, enc_outputs.transpose(1, 2))  # [batch, tgtLen, srcLen]
            context = torch.bmm(torch.softmax(scores, -1), enc_outputs)  # [batch, tgtLen, units]
            h = torch.tanh(self.combine(torch.cat([context, h], -1)))
        return self.output(h), state  # [batch, tgtLen, vocab]


def best_rate(run, items, warmup, runs, rounds=5):
    """Items per second of `run` (items per call): the best of `rounds` rounds of `runs` calls,
    after `warmup` calls, as the TF.js side measures (runs vary ~15% on this machine)."""
    for _ in range(warmup):
        run()
    best = 0.0
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(runs):
            run()
        best = max(best, runs * items / (time.perf_counter() - started))
    return best


def ids(rows, cols):
    return torch.randint(1, VOCAB, (rows, cols))


def train_rate(model, src_len, warmup=3, steps=4):
    optimizer = torch.optim.RMSprop(model.parameters(), lr=0.001)
    loss_fn = nn.CrossEntropyLoss(ignore_index=0)
    src, tgt_in, tgt_out = ids(BATCH, src_len), ids(BATCH, TGT_LEN), ids(BATCH, TGT_LEN)

    def step():
        optimizer.zero_grad()
        enc_outputs, state = model.encode(src)
        logits, _ = model.decode(tgt_in, state, enc_outputs)
        loss = loss_fn(logits.reshape(-1, VOCAB), tgt_out.reshape(-1))
        loss.backward()
        optimizer.step()

    return best_rate(step, BATCH, warmup, steps)


@torch.no_grad()
def greedy_rate(model, src_len=100, warmup=3, runs=4):
    src = ids(BATCH, src_len)

    def decode():
        enc_outputs, state = model.encode(src)
        tokens = torch.full((BATCH, 1), 1, dtype=torch.long)  # start id 1
        out = []
        for _ in range(MAX_LENGTH):
            logits, state = model.decode(tokens, state, enc_outputs)
            tokens = torch.log_softmax(logits[:, -1], -1).argmax(-1, keepdim=True)
            out.append(tokens)
        return torch.cat(out, 1).tolist()  # read back, as search returns token lists

    return best_rate(decode, BATCH, warmup, runs)


results = {"torch": torch.__version__, "threads": torch.get_num_threads()}
for name, attention in (("seed", False), ("attention", True)):
    model = Seq2Seq(attention)
    results[name] = {
        "train100": train_rate(model, 100),
        "train500": train_rate(model, 500, warmup=2, steps=2),
        "greedy": greedy_rate(model.eval()),
    }
results["peakRssMiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(results))
