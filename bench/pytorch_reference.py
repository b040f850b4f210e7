#!/usr/bin/env python3
"""PyTorch reference for bench/train-decode.bench.mjs: the same two models, sizes and data shapes,
timed the same way, printed as one JSON line on stdout.

Models (as @encdec/core builds them): Embedding(10000, 32) -> LSTM(32) encoder, its final (h, c)
start an Embedding(10000, 32) -> LSTM(32) decoder -> Linear(32, 10000) logits. The attention model
adds Luong et al. 2015 global "dot" attention without input feeding (eq. 5-6): scores h_t . s_j,
softmax over the source, context c_t, then tanh(W_c [c_t; h_t]) (no bias) feeds the output layer.
Training: RMSprop(lr 0.001), cross-entropy on logits ignoring target id 0, batch 64, 20 target
tokens, at 100 and 500 source tokens. Greedy decoding: 64 rows x 20 steps, log-softmax + argmax.
Beam search (width 5): the same algorithm as @encdec/core's beamSearch, written the way PyTorch
code usually writes it (as Hugging Face transformers' beam search does): one decoder step for
all beams of all inputs (the first on one row per input, whose beams would all start alike),
log-softmax plus each beam's running log-probability over
[rows, vocab], each input's top 2 x width of its width x vocab candidates, one read-back a step,
then per input: a candidate ending with the end token and ranked within the top width finishes,
the others fill the live beams; an input is done once no live beam can beat its best finished
one. As on the TF.js side, the end token's output bias is lowered by 30 so that every sequence
runs all 20 steps.

Run with Debian's python3-torch and libopenblas0-pthread (the default reference BLAS is 3-4x
slower, bench/PERFORMANCE.md):  /usr/bin/python3 bench/pytorch_reference.py
With the argument `transformer` it serves the Transformer reference of
bench/transformer.bench.mjs instead (bench/pytorch_transformer.py: one measurement per request, so
that the benchmark interleaves PyTorch's measurements with its own).
"""
import json
import resource
import sys
import time

import torch
from torch import nn

torch.set_num_threads(2)  # Debian's torch starts with one thread on this machine
torch.manual_seed(0)
VOCAB, EMBED, UNITS, BATCH, TGT_LEN, MAX_LENGTH = 10_000, 32, 32, 64, 20, 20
START_ID, END_ID, WIDTH = 1, 2, 5


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
        tokens = torch.full((BATCH, 1), START_ID, dtype=torch.long)
        out = []
        for _ in range(MAX_LENGTH):
            logits, state = model.decode(tokens, state, enc_outputs)
            tokens = torch.log_softmax(logits[:, -1], -1).argmax(-1, keepdim=True)
            out.append(tokens)
        return torch.cat(out, 1).tolist()  # read back, as search returns token lists

    return best_rate(decode, BATCH, warmup, runs)


@torch.no_grad()
def beam_rate(model, src_len=100, warmup=1, runs=2, rounds=3):
    src = ids(BATCH, src_len)

    def decode():
        memory, state = model.encode(src)
        # Row i * width + k is beam k of the i-th unfinished input: one beam per input on the
        # encoder's rows at the first step (all of an input's beams would start alike), WIDTH after.
        beams = [[([], 0.0)] for _ in range(BATCH)]  # (tokens, logp)
        finished = [[] for _ in range(BATCH)]
        active = list(range(BATCH))
        for t in range(MAX_LENGTH):
            width = 1 if t == 0 else WIDTH
            live_beams = [beam for b in active for beam in beams[b]]
            tokens = torch.tensor([[beam[0][-1] if beam[0] else START_ID] for beam in live_beams])
            running = torch.tensor([beam[1] for beam in live_beams])  # [rows]
            logits, state = model.decode(tokens, state, memory)
            scores = torch.log_softmax(logits[:, -1], -1) + running[:, None]  # [rows, vocab]
            values, flat = scores.view(len(active), -1).topk(2 * WIDTH)  # [inputs, 2 * WIDTH]
            values, flat = values.tolist(), flat.tolist()  # the one read-back of the step
            parents, still = [], []
            for i, b in enumerate(active):
                live = []
                for rank, (score, f) in enumerate(zip(values[i], flat[i])):
                    if len(live) == WIDTH:
                        break
                    beam, token = divmod(f, VOCAB)
                    hypothesis = (beams[b][beam][0] + [token], score)
                    if token != END_ID:
                        live.append((hypothesis, i * width + beam))
                    elif rank < WIDTH:
                        finished[b].append(hypothesis)
                if t + 1 == MAX_LENGTH:
                    finished[b].extend(hypothesis for hypothesis, _ in live)
                    continue
                best_finished = max((logp for _, logp in finished[b]), default=-float("inf"))
                if best_finished >= max(hypothesis[1] for hypothesis, _ in live):
                    continue  # log-probabilities only fall: no live beam can win any more
                beams[b] = [hypothesis for hypothesis, _ in live]
                parents.extend(row for _, row in live)
                still.append(b)
            active = still
            if not active:
                break
            index = torch.tensor(parents)
            state, memory = (state[0][:, index], state[1][:, index]), memory[index]
        best = [max(f, key=lambda hypothesis: hypothesis[1])[0] for f in finished]
        if len(best[0]) != MAX_LENGTH:
            raise RuntimeError(f"beam search decoded {len(best[0])} tokens")
        return best

    return best_rate(decode, BATCH, warmup, runs, rounds)


def recurrent_results():
    results = {"torch": torch.__version__, "threads": torch.get_num_threads()}
    for name, attention in (("kerasExample", False), ("attention", True)):
        model = Seq2Seq(attention)
        results[name] = {
            "train100": train_rate(model, 100),
            "train500": train_rate(model, 500, warmup=2, steps=2),
        }
        with torch.no_grad():
            model.output.bias[END_ID] -= 30  # no sequence ends early, as on the TF.js side
        results[name]["greedy"] = greedy_rate(model.eval())
        results[name]["beam"] = beam_rate(model)
    results["peakRssMiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return results


if __name__ == "__main__":
    if sys.argv[1:] == ["transformer"]:  # bench/transformer.bench.mjs, see pytorch_transformer.py
        from pytorch_transformer import serve

        serve()
    else:
        print(json.dumps(recurrent_results()))
