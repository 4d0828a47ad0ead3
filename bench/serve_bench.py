#!/usr/bin/env python3
"""Served tokens/s of `cai serve` under N concurrent clients, beside `cai generate --batch N` in process.

Starts `cai serve` on 127.0.0.1 (a free port), warms it up, fires N clients at once (each one /v1/completions
request with the same prompt, its own seed and ignore_eos, so every sequence runs to --max-tokens), and reports the
completion tokens over the wall time from the first request to the last answer (best of --repeat rounds). Then runs
`cai generate` with the same model, prompt, batch, settings and --ignore-eos (--repeat processes), and reports its best
tokens/s, measured in process after loading; that time includes the process's first forward passes, which the server
has behind it after its warm-up request. Standard library only. Example (from the repository root, after `dotnet build -c Release src/Cai.Cli`):

    python3 bench/serve_bench.py --cai "dotnet src/Cai.Cli/bin/Release/net10.0/cai.dll" --model models/cai-tiny-base
"""
import argparse
import json
import shlex
import signal
import subprocess
import threading
import time
import urllib.request

PROMPT = "\n\nHuman: Tell me about the old mill by the river.\n\nAssistant:"


def post(url, body, timeout=600):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def metrics(url):
    with urllib.request.urlopen(url + "/metrics", timeout=60) as response:
        text = response.read().decode()
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    return values


def serve(args):
    command = shlex.split(args.cai) + ["serve", "--model", args.model, "--host", "127.0.0.1", "--port", "0",
                                       "--max-batch", str(args.clients), "--device", args.device, "--dtype", args.dtype]
    command += ["--threads", str(args.threads)] if args.threads else []
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = None
        for line in server.stdout:
            if line.startswith("listening on "):
                url = line[len("listening on "):].strip().rstrip("/")
                break
        if url is None:
            raise SystemExit("cai serve did not start: " + server.stderr.read())
        body = {"model": args.served_name, "prompt": PROMPT, "max_tokens": args.max_tokens, "ignore_eos": True,
                "temperature": args.temperature}
        post(url + "/v1/completions", dict(body, max_tokens=8, seed=0))  # warm-up
        return min((round_of_clients(args, url, body) for _ in range(args.repeat)), key=lambda r: r["seconds"])
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def round_of_clients(args, url, body):
    before = metrics(url)
    tokens = [0] * args.clients
    errors = []
    barrier = threading.Barrier(args.clients + 1)

    def client(i):
        barrier.wait()
        try:
            tokens[i] = post(url + "/v1/completions", dict(body, seed=1000 + i))["usage"]["completion_tokens"]
        except Exception as e:  # reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - start
    after = metrics(url)
    if errors:
        raise SystemExit(f"{len(errors)} requests failed: {errors[0]}")
    delta = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    return {
        "tokens": sum(tokens), "seconds": seconds, "tokens_per_second": sum(tokens) / seconds,
        "decode_steps": delta["cai_decode_steps_total"], "prefill_passes": delta["cai_prefill_passes_total"],
        "mean_occupancy": delta["cai_decode_rows_total"] / max(1, delta["cai_decode_steps_total"]),
        "generation_seconds": delta["cai_generation_seconds_total"], "prefill_seconds": delta["cai_prefill_seconds_total"],
        "forward_seconds": delta["cai_forward_seconds_total"], "sampling_seconds": delta["cai_sampling_seconds_total"],
    }


def generate(args):
    command = shlex.split(args.cai) + ["generate", "--model", args.model, "--prompt", PROMPT, "--batch", str(args.clients),
                                       "--max-new-tokens", str(args.max_tokens), "--ignore-eos", "--temperature", str(args.temperature),
                                       "--seed", "1000", "--device", args.device, "--dtype", args.dtype, "--json"]
    command += ["--threads", str(args.threads)] if args.threads else []
    runs = []
    for _ in range(args.repeat):
        result = subprocess.run(command, capture_output=True, text=True, check=True)
        first = json.loads(result.stdout.splitlines()[0])
        runs.append({"tokens": first["generated_tokens"], "seconds": first["seconds"], "tokens_per_second": first["tokens_per_second"],
                     "decode_steps": first["decode_steps"], "prefill_seconds": first["prefill_seconds"],
                     "forward_seconds": first["decode_seconds"], "sampling_seconds": first["sampling_seconds"]})
    return min(runs, key=lambda r: r["seconds"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cai", default="dotnet src/Cai.Cli/bin/Release/net10.0/cai.dll", help="how to run cai")
    parser.add_argument("--model", default="models/cai-tiny-base")
    parser.add_argument("--served-name", default=None, help="the model id (default: the model folder's name)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads of both (default: libtorch's)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of clients, and cai generate runs; the best of each is reported")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    args.served_name = args.served_name or args.model.rstrip("/").split("/")[-1]

    served = serve(args)
    local = generate(args)
    ratio = served["tokens_per_second"] / local["tokens_per_second"]
    if args.json:
        print(json.dumps({"clients": args.clients, "max_tokens": args.max_tokens, "serve": served, "generate": local, "ratio": ratio}))
        return
    print(f"model {args.model}, {args.device} {args.dtype}, {args.clients} clients x {args.max_tokens} tokens (eos ignored), temperature {args.temperature}")
    print(f"cai serve:    {served['tokens']:6d} tokens in {served['seconds']:7.2f} s = {served['tokens_per_second']:8.1f} tokens/s "
          f"({served['decode_steps']:.0f} decode steps, {served['prefill_passes']:.0f} prefills, mean occupancy {served['mean_occupancy']:.1f})")
    print(f"cai generate: {local['tokens']:6d} tokens in {local['seconds']:7.2f} s = {local['tokens_per_second']:8.1f} tokens/s "
          f"({local['decode_steps']} decode steps)")
    for name, r in (("cai serve", served), ("cai generate", local)):
        print(f"{name + ':':13} prefill {r['prefill_seconds']:.3f} s, decode forward {r['forward_seconds']:.3f} s, "
              f"sampling and bookkeeping {r['sampling_seconds']:.3f} s")
    print(f"served / in-process: {ratio:.2f}")


if __name__ == "__main__":
    main()
