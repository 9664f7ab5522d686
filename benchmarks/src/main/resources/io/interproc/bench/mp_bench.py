"""What a Python user has today: multiprocessing's Queue, Pipe and Event between two processes.

Run by the interproc benchmark suite (io.interproc.bench.External) as
    python3 mp_bench.py SECONDS
and prints rows in the suite's results.csv form (benchmark,implementation,metric,unit,value):
round trips of a 64-byte message through two Queues and through one duplex Pipe, an Event
ping-pong (set, wait, clear on both sides), and Queue throughput of 64-byte messages. Latencies
are per round trip in nanoseconds (median, p99, p99.9, mean); throughput in messages per second.
INTERPROC_BENCH_CPUS=A,B pins the measuring process to A and the other to B, as the JVM
benchmarks do.
"""
import multiprocessing as mp
import os
import sys
import time

MESSAGE = bytes(64)


def die_with_parent():
    """A child killed with its parent (prctl PR_SET_PDEATHSIG): a benchmark killed at its deadline leaves nothing."""
    try:
        import ctypes
        import signal
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))
    except (OSError, AttributeError):
        pass


def pin(role):
    if role != 0:
        die_with_parent()
    cpus = os.environ.get("INTERPROC_BENCH_CPUS", "").strip()
    if cpus:
        listed = [int(c) for c in cpus.split(",")]
        os.sched_setaffinity(0, {listed[0] if role == 0 or len(listed) == 1 else listed[1]})


def queue_echo(ping, pong):
    pin(1)
    while True:
        message = ping.get()
        if message is None:
            return
        pong.put(message)


def pipe_echo(end):
    pin(1)
    while True:
        message = end.recv_bytes()
        if not message:
            return
        end.send_bytes(message)


def event_echo(ping, pong, stop):
    pin(1)
    while True:
        ping.wait()
        ping.clear()
        if stop.is_set():
            return
        pong.set()


def drain(queue, done):
    pin(1)
    count = 0
    while queue.get() is not None:
        count += 1
    done.put(count)


def measure(one_round_trip, seconds):
    """Round trips for a quarter of SECONDS to warm up, then SECONDS measured; returns the sorted times."""
    end = time.perf_counter() + seconds / 4
    while time.perf_counter() < end:
        one_round_trip()
    times = []
    clock = time.perf_counter_ns
    end = clock() + int(seconds * 1e9)
    while True:
        start = clock()
        one_round_trip()
        finish = clock()
        times.append(finish - start)
        if finish >= end:
            break
    times.sort()
    return times


def rows(benchmark, implementation, times):
    def at(fraction):
        return times[min(len(times) - 1, int(fraction * len(times)))]
    mean = sum(times) / len(times)
    return [(benchmark, implementation, "mean", "ns/op", mean), (benchmark, implementation, "median", "ns/op", at(0.5)),
            (benchmark, implementation, "p99", "ns/op", at(0.99)), (benchmark, implementation, "p99.9", "ns/op", at(0.999))]


def round_trip_queue(seconds):
    ping, pong = mp.Queue(), mp.Queue()
    peer = mp.Process(target=queue_echo, args=(ping, pong), daemon=True)
    peer.start()

    def once():
        ping.put(MESSAGE)
        pong.get()
    try:
        return rows("RoundTrip 64 B", "python-queue", measure(once, seconds))
    finally:
        ping.put(None)
        peer.join(10)


def round_trip_pipe(seconds):
    mine, theirs = mp.Pipe()
    peer = mp.Process(target=pipe_echo, args=(theirs,), daemon=True)
    peer.start()

    def once():
        mine.send_bytes(MESSAGE)
        mine.recv_bytes()
    try:
        return rows("RoundTrip 64 B", "python-pipe", measure(once, seconds))
    finally:
        mine.send_bytes(b"")
        peer.join(10)


def round_trip_event(seconds):
    ping, pong, stop = mp.Event(), mp.Event(), mp.Event()
    peer = mp.Process(target=event_echo, args=(ping, pong, stop), daemon=True)
    peer.start()

    def once():
        ping.set()
        pong.wait()
        pong.clear()
    try:
        return rows("SyncRoundTrip", "python-event", measure(once, seconds))
    finally:
        stop.set()
        ping.set()
        peer.join(10)


def queue_throughput(seconds):
    queue, done = mp.Queue(), mp.Queue()
    peer = mp.Process(target=drain, args=(queue, done), daemon=True)
    peer.start()
    start = time.perf_counter()
    end = start + seconds
    sent = 0
    while True:
        for _ in range(1000):
            queue.put(MESSAGE)
        sent += 1000
        if time.perf_counter() >= end:
            break
    queue.put(None)
    received = done.get(timeout=120)
    elapsed = time.perf_counter() - start
    peer.join(10)
    if received != sent:
        raise SystemExit("queue throughput: sent %d, the peer received %d" % (sent, received))
    rate = received / elapsed
    return [("SpscThroughput 64 B", "python-queue", "throughput", "ops/s", rate),
            ("SpscThroughput 64 B", "python-queue", "bytes", "B/s", rate * len(MESSAGE))]


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    pin(0)
    for measured in (round_trip_queue, round_trip_pipe, round_trip_event, queue_throughput):
        for row in measured(seconds):
            print("%s,%s,%s,%s,%.3f" % row, flush=True)


if __name__ == "__main__":
    main()
