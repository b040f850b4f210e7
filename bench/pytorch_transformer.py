"""PyTorch reference for bench/transformer.bench.mjs (started as `pytorch_reference.py transformer`):
the same Transformer encoder-decoder as @encdec/core's with the benchmark's sizes, measured one
request at a time so that the benchmark interleaves these measurements with its own (the machine's
load moves during a run; both sides see the same load that way).

Model: nn.Transformer(d_model 64, 4 heads, 2 + 2 layers, ffDim 256, ReLU, batch_first, pre-norm
(norm_first) with a final LayerNorm after each stack, as encdec's default 'pre'), dropout 0 on both
sides (the same arithmetic), Embedding(10000, 64) * sqrt(64) + sinusoidal positions (Vaswani et al.
2017, section 3.5) at both ends, Linear(64, 10000) logits. Padding masks (id 0) on the encoder's
self-attention and the cross-attention, the causal mask on the decoder's self-attention, as encdec
applies them. Training: Adam(lr 0.001, Keras' betas and epsilon), cross-entropy on logits ignoring
target id 0, batch 64, 100 source / 20 target tokens.

Greedy decoding, 64 rows x 20 steps, two ways:
- `uncached`: what nn.Transformer offers: each step reruns nn.TransformerDecoder over the whole
  prefix (its decoder layers have no key/value cache) and keeps the last position's logits.
- `cached`: the same decoder layers' weights run one new position per step, over per-layer caches
  of the self-attention's projected keys and values, and the cross-attention's keys and values of
  the encoder outputs projected once (what encdec's decodeStep does). The first decode checks that
  both give the same tokens.

Protocol: one request a line on stdin (`train`, `cached`, `uncached`, `threads N`, `info`, `quit`);
each answer is one JSON line: {"rate": per second, "items": ...}.
"""
import json
import math
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

torch.set_num_threads(2)  # as pytorch_reference.py: both cores
torch.manual_seed(0)
VOCAB, D_MODEL, HEADS, LAYERS, FF_DIM = 10_000, 64, 4, 2, 256
BATCH, SRC_LEN, TGT_LEN, MAX_LENGTH, START_ID, END_ID = 64, 100, 20, 20, 1, 2


def sinusoids(length, d):
    pos = torch.arange(length, dtype=torch.float64)[:, None]
    two_i = torch.arange(0, d, 2, dtype=torch.float64)
    angle = pos / 10000 ** (two_i / d)  # [length, d / 2]
    table = torch.zeros(length, d, dtype=torch.float64)
    table[:, 0::2], table[:, 1::2] = torch.sin(angle), torch.cos(angle)
    return table.float()


class TransformerSeq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.src_embedding = nn.Embedding(VOCAB, D_MODEL)
        self.tgt_embedding = nn.Embedding(VOCAB, D_MODEL)
        self.register_buffer("positions", sinusoids(512, D_MODEL))
        self.transformer = nn.Transformer(
            D_MODEL, HEADS, LAYERS, LAYERS, FF_DIM, dropout=0.0, batch_first=True, norm_first=True
        )
        self.output = nn.Linear(D_MODEL, VOCAB)

    def embed(self, embedding, ids, offset=0):
        return embedding(ids) * math.sqrt(D_MODEL) + self.positions[offset : offset + ids.shape[1]]

    def encode(self, src):
        padding = src == 0  # [batch, srcLen], True where padding
        memory = self.transformer.encoder(
            self.embed(self.src_embedding, src), src_key_padding_mask=padding
        )
        return memory, padding  # [batch, srcLen, dModel]

    def decode(self, tgt_in, memory, padding):
        causal = self.transformer.generate_square_subsequent_mask(tgt_in.shape[1])
        y = self.transformer.decoder(
            self.embed(self.tgt_embedding, tgt_in),
            memory,
            tgt_mask=causal,
            memory_key_padding_mask=padding,
        )
        return self.output(y)  # [batch, tgtLen, vocab]


def heads(x):
    """[batch, len, dModel] -> [batch, heads, len, dk]"""
    return x.view(x.shape[0], x.shape[1], HEADS, -1).transpose(1, 2)


def attend(q, k, v, attn, bias=None):
    """softmax(q k^T / sqrt(dk) + bias) v over heads, then W_o: q [batch, len, dModel]."""
    scores = heads(q) @ k.transpose(2, 3) / math.sqrt(D_MODEL // HEADS)  # [batch, heads, len, keys]
    if bias is not None:
        scores = scores + bias
    context = torch.softmax(scores, -1) @ v  # [batch, heads, len, dk]
    merged = context.transpose(1, 2).reshape(q.shape[0], q.shape[1], D_MODEL)
    return attn.out_proj(merged)


def cached_step(model, tokens, t, caches, crosses, bias):
    """One new position t for every row over the layers' caches (lists of (k, v), appended to)."""
    x = model.embed(model.tgt_embedding, tokens, t)  # [batch, 1, dModel]
    for i, layer in enumerate(model.transformer.decoder.layers):
        sa = layer.self_attn
        q, k, v = F.linear(layer.norm1(x), sa.in_proj_weight, sa.in_proj_bias).chunk(3, -1)
        if caches[i] is None:
            caches[i] = (heads(k), heads(v))
        else:
            caches[i] = (torch.cat([caches[i][0], heads(k)], 2), torch.cat([caches[i][1], heads(v)], 2))
        x = x + attend(q, *caches[i], sa)  # the one new query sees every cached position
        ca = layer.multihead_attn
        q = F.linear(layer.norm2(x), ca.in_proj_weight[:D_MODEL], ca.in_proj_bias[:D_MODEL])
        x = x + attend(q, *crosses[i], ca, bias)
        x = x + layer.linear2(F.relu(layer.linear1(layer.norm3(x))))
    return model.output(model.transformer.decoder.norm(x))[:, -1]  # [batch, vocab]


def cross_keys(model, memory):
    """Every decoder layer's cross-attention keys and values, [batch, heads, srcLen, dk], once."""
    out = []
    for layer in model.transformer.decoder.layers:
        ca = layer.multihead_attn
        kv = F.linear(memory, ca.in_proj_weight[D_MODEL:], ca.in_proj_bias[D_MODEL:])
        k, v = kv.chunk(2, -1)
        out.append((heads(k), heads(v)))
    return out


@torch.no_grad()
def greedy(model, src, cached):
    memory, padding = model.encode(src)
    tokens = torch.full((BATCH, 1), START_ID, dtype=torch.long)
    out = []
    if cached:
        caches, crosses = [None] * LAYERS, cross_keys(model, memory)
        bias = torch.zeros(padding.shape).masked_fill(padding, -1e9)[:, None, None, :]
    for t in range(MAX_LENGTH):
        if cached:
            logits = cached_step(model, tokens[:, -1:], t, caches, crosses, bias)
        else:
            logits = model.decode(tokens, memory, padding)[:, -1]
        next_tokens = torch.log_softmax(logits, -1).argmax(-1, keepdim=True)
        tokens = torch.cat([tokens, next_tokens], 1)
        out.append(next_tokens)
    return torch.cat(out, 1).tolist()  # read back, as search returns token lists


def serve():
    model = TransformerSeq2Seq()
    ids = lambda rows, cols: torch.randint(3, VOCAB, (rows, cols))  # noqa: E731
    src, tgt_in, tgt_out = ids(BATCH, SRC_LEN), ids(BATCH, TGT_LEN), ids(BATCH, TGT_LEN)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss(ignore_index=0)

    def train():
        optimizer.zero_grad()
        memory, padding = model.encode(src)
        logits = model.decode(tgt_in, memory, padding)
        loss_fn(logits.reshape(-1, VOCAB), tgt_out.reshape(-1)).backward()
        optimizer.step()

    def decoder(cached):
        def run():
            tokens = greedy(model.eval(), src, cached)
            if len(tokens[0]) != MAX_LENGTH:
                raise RuntimeError(f"decoded {len(tokens[0])} tokens")

        return run

    requests = {"train": (train, 1), "cached": (decoder(True), BATCH * MAX_LENGTH)}
    requests["uncached"] = (decoder(False), BATCH * MAX_LENGTH)
    decoded = False
    for line in sys.stdin:
        request = line.strip()
        if request == "quit":
            break
        if request.startswith("threads "):  # e.g. `threads 1`: what contention costs 2 threads
            torch.set_num_threads(int(request.split()[1]))
            print(json.dumps({"threads": torch.get_num_threads()}))
        elif request == "info":
            print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads()}))
        else:
            if request != "train" and not decoded:  # no sequence ends early, as on the TF.js side
                with torch.no_grad():
                    model.output.bias[END_ID] -= 30
                same = greedy(model.eval(), src, True) == greedy(model, src, False)
                if not same:
                    raise RuntimeError("cached and uncached greedy decoding differ")
                decoded = True
            run, items = requests[request]
            model.train(request == "train")
            started = time.perf_counter()
            run()
            print(json.dumps({"rate": items / (time.perf_counter() - started), "items": items}))
        sys.stdout.flush()
