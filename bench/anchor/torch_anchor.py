"""PyTorch side of the anchor benchmark (`pnpm bench:anchor`, driven by packages/qnet/bench/anchor.ts).

The same GPT-2 training steps as qnet's, on the CPU, timed one step at a time. The driver starts this script
once and sends one JSON request per line on stdin; every answer is one JSON line on stdout:

  {"op": "info"}                                     -> {"torch": ..., "threads": ..., "blas": ...}
  {"op": "run", "cfg": {...}, "kind": "lm"|"td",
   "steps": n, "warmup": w}                          -> {"ms": [per-step wall times in milliseconds], "loss": x}
  {"op": "quit"}

cfg = {"d", "layers", "heads", "vocab", "batch", "seq"}. "lm" is the LM cross-entropy step (forward, mean
cross-entropy over all B*T positions, backward, Adam). "td" is the DQN TD step over whole episodes: Q(s_t, a_t)
from the online net, max_a Q'(s_{t+1}, a) from a target net without gradient, Huber loss, backward, Adam.
Inputs are fixed pseudo-random tokens (seeded), so every run does identical work.
"""

import json
import math
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except Exception as err:  # the driver skips the PyTorch side loudly on this answer
    print(json.dumps({"error": f"torch is not importable: {err}"}), flush=True)
    sys.exit(3)


class Block(torch.nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.ln_1 = torch.nn.LayerNorm(d, eps=1e-5)
        self.c_attn = torch.nn.Linear(d, 3 * d)
        self.c_proj = torch.nn.Linear(d, d)
        self.ln_2 = torch.nn.LayerNorm(d, eps=1e-5)
        self.c_fc = torch.nn.Linear(d, 4 * d)
        self.mlp_proj = torch.nn.Linear(4 * d, d)

    def forward(self, x, mask):
        b, t, d = x.shape
        h = self.heads
        q, k, v = self.c_attn(self.ln_1(x)).split(d, dim=2)
        q = q.view(b, t, h, d // h).transpose(1, 2)
        k = k.view(b, t, h, d // h).transpose(1, 2)
        v = v.view(b, t, h, d // h).transpose(1, 2)
        s = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d // h)) + mask
        a = (torch.softmax(s, dim=-1) @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.c_proj(a)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT2(torch.nn.Module):
    """GPT-2 with a head tied to the token embedding, as qnet's QNetwork (no dropout)."""

    def __init__(self, cfg):
        super().__init__()
        d = cfg["d"]
        self.wte = torch.nn.Embedding(cfg["vocab"], d)
        self.wpe = torch.nn.Embedding(cfg["seq"], d)
        self.h = torch.nn.ModuleList([Block(d, cfg["heads"]) for _ in range(cfg["layers"])])
        self.ln_f = torch.nn.LayerNorm(d, eps=1e-5)
        for p in self.parameters():
            if p.dim() > 1:
                torch.nn.init.normal_(p, std=0.02)
        t = cfg["seq"]
        self.register_buffer("mask", torch.triu(torch.full((t, t), -1e9), diagonal=1))

    def forward(self, ids):
        t = ids.shape[1]
        x = self.wte(ids) + self.wpe.weight[:t]
        for blk in self.h:
            x = blk(x, self.mask[:t, :t])
        return self.ln_f(x) @ self.wte.weight.t()


class Task:
    def __init__(self, cfg, kind):
        torch.manual_seed(1234)
        self.cfg = cfg
        self.kind = kind
        b, t, v = cfg["batch"], cfg["seq"], cfg["vocab"]
        g = torch.Generator().manual_seed(99)
        self.ids = torch.randint(0, v, (b, t), generator=g)
        self.targets = torch.randint(0, v, (b * t,), generator=g)
        self.rewards = torch.rand((b, t - 1), generator=g)
        self.not_done = torch.ones((b, t - 1))
        self.not_done[:, -1] = 0
        self.net = GPT2(cfg)
        self.target = GPT2(cfg) if kind == "td" else None
        if self.target is not None:
            self.target.load_state_dict(self.net.state_dict())
            self.target.requires_grad_(False)
        self.opt = torch.optim.Adam(self.net.parameters(), lr=1e-4)

    def step(self):
        b, t, v = self.cfg["batch"], self.cfg["seq"], self.cfg["vocab"]
        self.opt.zero_grad(set_to_none=True)
        q = self.net(self.ids)
        if self.kind == "lm":
            loss = F.cross_entropy(q.reshape(b * t, v), self.targets)
        else:
            qa = q[:, :-1].gather(2, self.ids[:, 1:].unsqueeze(2)).squeeze(2)
            with torch.no_grad():
                nxt = self.target(self.ids)[:, 1:].max(dim=2).values
                y = self.rewards + 0.99 * self.not_done * nxt
            loss = F.huber_loss(qa, y, delta=1.0)
        loss.backward()
        self.opt.step()
        return float(loss)


def main():
    tasks = {}
    for line in sys.stdin:
        req = json.loads(line)
        op = req.get("op")
        if op == "quit":
            break
        if op == "info":
            # Which BLAS the process really loaded (Debian's torch links the generic libblas.so.3).
            torch.randn(64, 64) @ torch.randn(64, 64)
            with open("/proc/self/maps") as maps:
                libs = sorted({ln.split()[-1] for ln in maps if "blas" in ln.lower() and ".so" in ln})
            settings = torch.__config__.show()
            build = [f for f in settings.replace(",", " ").split() if f.startswith(("BLAS_INFO", "USE_MKLDNN"))]
            out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": build + libs}
            print(json.dumps(out), flush=True)
            continue
        if op == "threads":
            torch.set_num_threads(int(req["n"]))
            print(json.dumps({"threads": torch.get_num_threads()}), flush=True)
            continue
        cfg, kind = req["cfg"], req["kind"]
        key = json.dumps([cfg, kind], sort_keys=True)
        if key not in tasks:
            tasks.clear()  # one model at a time keeps memory flat
            tasks[key] = Task(cfg, kind)
        task = tasks[key]
        loss = 0.0
        for _ in range(int(req.get("warmup", 0))):
            loss = task.step()
        ms = []
        for _ in range(int(req["steps"])):
            t0 = time.perf_counter()
            loss = task.step()
            ms.append((time.perf_counter() - t0) * 1000)
        print(json.dumps({"ms": ms, "loss": loss}), flush=True)


if __name__ == "__main__":
    main()
