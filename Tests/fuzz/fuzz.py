#!/usr/bin/env python3
"""Hostile-input fuzz suite for the lineside binary (seeded, deterministic).

Generates model files, images and configuration files across the classes of hostile input the
firmware must survive (see the README's "Hostile input" section), runs the release binary on each
under a timeout, and asserts for every bad case: exit status 1 or 2, no signal, no hang, exactly
one line on stderr, naming the file; and that the model in use is still intact afterwards.

    python3 Tests/fuzz/fuzz.py BINARY [--seed N] [--work DIR]

Ends with 'fuzz: N passed, N failed' (tools/test.sh counts it) and a line of class counts.
Needs only the Python standard library.
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

TIMEOUT_S = 20


class Run:
    def __init__(self, binary, work):
        self.binary = binary
        self.work = work
        self.results = []  # (name, ok, why)
        self.counts = {"cases": 0, "crashes": 0, "hangs": 0, "accepted-bad": 0, "lost models": 0, "bad messages": 0}

    def invoke(self, args):
        try:
            p = subprocess.run([self.binary] + args, capture_output=True, timeout=TIMEOUT_S, stdin=subprocess.DEVNULL)
            return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            return None, "", ""

    def bad(self, name, args, named, statuses=(1, 2)):
        """A hostile input: must be refused with one line naming `named`."""
        self.counts["cases"] += 1
        status, out, err = self.invoke(args)
        lines = [l for l in err.splitlines() if l.strip()]
        why = None
        if status is None:
            self.counts["hangs"] += 1
            why = "hang (no answer in %d s)" % TIMEOUT_S
        elif status < 0 or status >= 128:
            self.counts["crashes"] += 1
            why = "signal / crash, status %d: %s" % (status, err.strip()[-300:])
        elif status == 0:
            self.counts["accepted-bad"] += 1
            why = "accepted (exit 0)"
        elif status not in statuses:
            self.counts["bad messages"] += 1
            why = "exit %d, wanted %s" % (status, statuses)
        elif len(lines) != 1 or (named and named not in lines[0]):
            self.counts["bad messages"] += 1
            why = "wanted one line naming %r, got %d: %r" % (named, len(lines), err.strip()[:300])
        self.results.append((name, why is None, why or lines[0]))
        return why is None

    def good(self, name, args):
        """A valid input that must be accepted (exit 0)."""
        self.counts["cases"] += 1
        status, out, err = self.invoke(args)
        ok = status == 0
        if status is None:
            self.counts["hangs"] += 1
        elif status < 0 or status >= 128:
            self.counts["crashes"] += 1
        self.results.append((name, ok, "accepted" if ok else "refused a valid input: status %s %s" % (status, err.strip()[:200])))
        return ok

    def either(self, name, args, named, accepted_output=""):
        """An input of unknown validity (a random edit): accepted, or refused with one line naming it."""
        self.counts["cases"] += 1
        status, out, err = self.invoke(args)
        lines = [l for l in err.splitlines() if l.strip()]
        if status is None:
            self.counts["hangs"] += 1
            ok, why = False, "hang"
        elif status < 0 or status >= 128:
            self.counts["crashes"] += 1
            ok, why = False, "signal / crash, status %d" % status
        elif status == 0:
            ok, why = accepted_output in out, "accepted"
        else:
            ok = status in (1, 2) and len(lines) == 1 and named in lines[0]
            why = lines[0] if ok else "wanted one line naming %r, got %r" % (named, err.strip()[:200])
            if not ok:
                self.counts["bad messages"] += 1
        self.results.append((name, ok, why))

    def model_intact(self, name, model, image):
        status, out, err = self.invoke(["score", "--model", model, image])
        ok = status in (0, 1) and ("OK" in out or "REJECT" in out)
        if not ok:
            self.counts["lost models"] += 1
        self.results.append((name + " (model intact)", ok, "model loads" if ok else "model lost: %s" % err.strip()[:200]))


# ---------------------------------------------------------------- safetensors, as the format says

def read_safetensors(data):
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    meta = header.pop("__metadata__", {})
    tensors = {k: (v["dtype"], v["shape"], body[v["data_offsets"][0]:v["data_offsets"][1]]) for k, v in header.items()}
    return meta, tensors


def write_safetensors(meta, tensors, header_extra=None):
    header, offset, body = {}, 0, b""
    for name in sorted(tensors):
        dtype, shape, raw = tensors[name]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        body += raw
    header["__metadata__"] = meta
    if header_extra:
        header.update(header_extra)
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + body


def with_checksum(meta, tensors):
    meta = dict(meta)
    digest = hashlib.sha256(tensors["mean"][2] + tensors["factor"][2] + tensors["channels"][2]).hexdigest()
    meta["data_sha256"] = digest
    return meta


def forge(base, edit_meta=None, edit_tensors=None):
    """The model with tensors and metadata edited, its checksum recomputed over the edited tensors
    (as a hostile user who read the format would), then the metadata edits applied on top."""
    meta, tensors = read_safetensors(base)
    tensors = dict(tensors)
    if edit_tensors:
        edit_tensors(tensors)
    meta = with_checksum(meta, tensors)
    if edit_meta:
        edit_meta(meta)
    return write_safetensors(meta, tensors)


# ---------------------------------------------------------------- PNG, JPEG

def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def make_png(width, height, grey=True, rows=None, ihdr_override=None):
    color = 0 if grey else 2
    channels = 1 if grey else 3
    ihdr = ihdr_override or struct.pack(">IIBBBBB", width, height, 8, color, 0, 0, 0)
    raw = rows if rows is not None else b"".join(b"\x00" + bytes((x * 7 + y * 3) % 256 for x in range(width * channels))
                                                 for y in range(height))
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b"")


def make_jpeg(path_png, path_jpeg):
    """A real JPEG from a real PNG (Pillow when present, else cjpeg from libjpeg-turbo-progs)."""
    try:
        from PIL import Image
        Image.open(path_png).convert("RGB").save(path_jpeg, quality=90)
        return True
    except Exception:
        pass
    if shutil.which("cjpeg"):
        with open(path_jpeg, "wb") as out:
            return subprocess.run(["cjpeg", path_png], stdout=out).returncode == 0
    return False


# ---------------------------------------------------------------- the cases

def model_cases(run, rng, base, image, current):
    w = run.work
    meta, tensors = read_safetensors(base)
    d = int(meta["dimensions"])
    n = 0

    def case(name, data, cmd="score"):
        nonlocal n
        n += 1
        path = os.path.join(w, "model-%03d.safetensors" % n)
        with open(path, "wb") as f:
            f.write(data)
        if cmd == "score":
            run.bad("model %s" % name, ["score", "--model", path, image], path)
        else:  # rollback onto a copy of the current model: refused, and the current model stays
            cur = os.path.join(w, "current-%03d.safetensors" % n)
            shutil.copy(current, cur)
            run.bad("rollback to model %s" % name, ["rollback", "--model", cur, "--previous", path], path)
            run.model_intact("rollback to model %s" % name, cur, image)

    def meta_edit(**changes):
        def edit(m):
            for k, v in changes.items():
                if v is None:
                    m.pop(k, None)
                else:
                    m[k] = v
        return edit

    # Arithmetic on untrusted header values.
    for grid in ["4294967296x4294967296", "9223372036854775807x9223372036854775807", "-56x-56", "0x0", "56x", "x56",
                 "56x56x1", "56 x 56", "57x56", "28x28", "1x8", "56x55", "", "٥٦x٥٦", "1e3x1e3", "0x56"]:
        case("grid %r" % grid, forge(base, meta_edit(grid=grid)))
        case("grid %r" % grid, forge(base, meta_edit(grid=grid)), cmd="rollback")
    for dims in ["0", "-1", "177", "100000", "4294967296", "abc", "", "1.5"]:
        case("dimensions %r" % dims, forge(base, meta_edit(dimensions=dims)))
    # Untrusted indices.
    for bad in [176, 177, 1000, 2**31 - 1, -1, -2**31]:
        def edit(t, bad=bad):
            ch = list(struct.unpack("<%di" % d, t["channels"][2]))
            ch[-1] = bad
            t["channels"] = ("I32", [d], struct.pack("<%di" % d, *ch))
        case("channel %d" % bad, forge(base, edit_tensors=edit))
        case("channel %d" % bad, forge(base, edit_tensors=edit), cmd="rollback")
    def duplicate(t):
        ch = list(struct.unpack("<%di" % d, t["channels"][2]))
        ch[1] = ch[0]
        t["channels"] = ("I32", [d], struct.pack("<%di" % d, *ch))
    case("duplicate channels", forge(base, edit_tensors=duplicate))
    def unsorted(t):
        ch = list(struct.unpack("<%di" % d, t["channels"][2]))
        ch[0], ch[1] = ch[1], ch[0]
        t["channels"] = ("I32", [d], struct.pack("<%di" % d, *ch))
    case("unsorted channels", forge(base, edit_tensors=unsorted))
    # Values that validate but cannot be right.
    def zero_factor(t):
        dt, shape, raw = t["factor"]
        t["factor"] = (dt, shape, bytes(len(raw)))
    case("all-zero factor", forge(base, edit_tensors=zero_factor))
    case("all-zero factor", forge(base, edit_tensors=zero_factor), cmd="rollback")
    def negative_diagonal(t):
        dt, shape, raw = t["factor"]
        raw = bytearray(raw)
        raw[1] |= 0x80  # the first diagonal entry of position 0, sign bit
        t["factor"] = (dt, shape, bytes(raw))
    case("negative factor diagonal", forge(base, edit_tensors=negative_diagonal))
    def nan_mean(t):
        dt, shape, raw = t["mean"]
        raw = bytearray(raw)
        raw[10:12] = b"\x00\x7e"
        t["mean"] = (dt, shape, bytes(raw))
    case("NaN in the mean", forge(base, edit_tensors=nan_mean))
    for threshold in ["1e-45", "0", "-1", "nan", "inf", "-inf", "1e30", "1e6", "", "0x10", "1,5"]:
        case("threshold %r" % threshold, forge(base, meta_edit(threshold=threshold)))
    case("threshold 1e-45", forge(base, meta_edit(threshold="1e-45")), cmd="rollback")
    case("threshold under the held-out maximum", forge(base, meta_edit(holdout_scores="min 1 median 2 max 100000 mean 3")))
    for key in ["format", "backbone_sha256", "grid", "dimensions", "threshold", "data_sha256"]:
        case("no %s" % key, forge(base, meta_edit(**{key: None})))
    case("another format", forge(base, meta_edit(format="lineside-padim/2")))
    case("another backbone", forge(base, meta_edit(backbone_sha256="0" * 64)))
    case("wrong checksum", forge(base, meta_edit(data_sha256="f" * 64)))
    # Tensor shapes and types.
    for name in ["mean", "factor", "channels"]:
        def drop(t, name=name):
            del t[name]
        case("no %s tensor" % name, write_safetensors(meta, {k: v for k, v in tensors.items() if k != name}))
        def wrong_dtype(t, name=name):
            dt, shape, raw = t[name]
            t[name] = ("F32" if dt != "F32" else "F16", shape, raw)
        case("%s with another dtype" % name, forge(base, edit_tensors=wrong_dtype))
        def wrong_shape(t, name=name):
            dt, shape, raw = t[name]
            t[name] = (dt, list(reversed(shape)) + [1], raw)
        case("%s with another shape" % name, forge(base, edit_tensors=wrong_shape))
    # The container itself.
    header_len = struct.unpack("<Q", base[:8])[0]
    for cut in sorted(set([0, 1, 7, 8, 9, 20, header_len, header_len + 8, header_len + 9] +
                          [rng.randrange(len(base)) for _ in range(12)])):
        case("cut at %d bytes" % cut, base[:cut])
    case("cut at %d bytes" % (len(base) // 2), base[:len(base) // 2], cmd="rollback")
    for length in [0, 1, 2**24 + 1, 2**63 - 1, 2**64 - 1, len(base)]:
        case("header length %d" % length, struct.pack("<Q", length) + base[8:])
    body = base[8 + header_len:]
    for text in [b"[]", b"null", b"{", b"{\"a\":}", b"[" * 100000 + b"]" * 100000, b"{\"__metadata__\": 5}",
                 b"{\"__metadata__\": {\"format\": 7}}", b"\xff\xfe\x00", b"{\"x\":{\"dtype\":\"F16\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}}",
                 b"{\"x\":{\"dtype\":\"F16\",\"shape\":[-1],\"data_offsets\":[0,2]}}",
                 b"{\"x\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[4,2]}}",
                 b"{\"x\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,18446744073709551616]}}"]:
        padded = text + b" " * ((8 - len(text) % 8) % 8)
        case("header %r" % text[:24], struct.pack("<Q", len(padded)) + padded + body)
    header = json.loads(base[8:8 + header_len])
    header["channels"]["data_offsets"] = header["mean"]["data_offsets"][:1] + [header["mean"]["data_offsets"][0] + d * 4]
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    case("overlapping tensors", struct.pack("<Q", len(text)) + text + body)
    for i in range(12):
        data = bytearray(base)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(8 + header_len, len(data))] ^= 1 << rng.randrange(8)
        case("flipped data bits #%d" % i, bytes(data))
    for i in range(8):
        data = bytearray(base)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(8, 8 + header_len)] = rng.randrange(256)
        # A changed byte may land in free text (a fit fact) and leave a valid model: such a file
        # may load; a refusal must still be one line naming the file.
        path = os.path.join(w, "garbled-header-%d.safetensors" % i)
        with open(path, "wb") as f:
            f.write(bytes(data))
        run.either("model garbled header #%d" % i, ["score", "--model", path, image], path, accepted_output="\t")
    case("empty file", b"")
    case("a PNG as the model", make_png(8, 8))
    case("text as the model", b"lineside model, honest\n" * 10)
    # Files that are not regular files.
    fifo = os.path.join(w, "model.fifo")
    os.mkfifo(fifo)
    run.bad("model is a FIFO", ["score", "--model", fifo, image], fifo)
    run.bad("rollback from a FIFO", ["rollback", "--model", current, "--previous", fifo], fifo)
    run.bad("model is a directory", ["score", "--model", w, image], w)
    run.bad("model is /dev/null", ["score", "--model", "/dev/null", image], "/dev/null")
    run.bad("model is /dev/zero", ["score", "--model", "/dev/zero", image], "/dev/zero")
    link = os.path.join(w, "zero-link.safetensors")
    os.symlink("/dev/zero", link)
    run.bad("model is a link to /dev/zero", ["score", "--model", link, image], link)
    run.bad("model is missing", ["score", "--model", os.path.join(w, "missing.safetensors"), image], "missing.safetensors")


def save_cases(run, base, image, good_dir):
    """Saves that must fail without losing the model in use."""
    w = run.work
    for kind in ["directory", "fifo"]:
        target = os.path.join(w, "target-" + kind)
        current = os.path.join(w, "save-current-%s.safetensors" % kind)
        shutil.copy(base, current)
        if kind == "directory":
            os.mkdir(target)
        else:
            os.mkfifo(target)
        run.bad("fit --model onto a %s" % kind, ["fit", "--images", good_dir, "--model", target, "--holdout", "0"], target)
        run.bad("rollback --model onto a %s" % kind, ["rollback", "--model", target, "--previous", current], target)
        run.model_intact("rollback onto a %s" % kind, current, image)
        # The previous slot is a directory or FIFO: the current model must survive the refused save.
        previous = current[:-len(".safetensors")] + ".previous.safetensors"
        if kind == "directory":
            os.mkdir(previous)
        else:
            os.mkfifo(previous)
        run.bad("fit with the previous slot a %s" % kind,
                ["fit", "--images", good_dir, "--model", current, "--holdout", "0", "--dimensions", "20"], previous)
        run.model_intact("fit with the previous slot a %s" % kind, current, image)
    run.bad("eval --json into a missing folder", ["eval", "--model", base, "--dataset", w, "--json", "/nonexistent/e.json"], "/nonexistent")
    json_fifo = os.path.join(w, "eval.fifo")
    os.mkfifo(json_fifo)
    run.bad("eval --json onto a FIFO", ["eval", "--model", base, "--dataset", w, "--json", json_fifo], json_fifo)
    run.bad("features --out into a missing folder", ["features", "--out", "/nonexistent/x.safetensors", image], "/nonexistent")


def decodes_cleanly(path):
    """libjpeg-turbo's djpeg (libjpeg-turbo-progs, tools/setup.sh) on the file: True when it decodes
    without a warning (exit 0), False when it warns or fails. Without djpeg every garbled JPEG must
    be refused, and the suite says so once."""
    if shutil.which("djpeg") is None:
        if not getattr(decodes_cleanly, "said", False):
            print("fuzz: djpeg is absent (apt-get install libjpeg-turbo-progs): every garbled JPEG must be refused")
            decodes_cleanly.said = True
        return False
    return subprocess.run(["djpeg", "-outfile", os.devnull, path], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, timeout=30).returncode == 0


def image_cases(run, rng, model, images):
    w = run.work
    png = open(images["png"], "rb").read()
    jpeg = open(images["jpeg"], "rb").read() if images.get("jpeg") else None
    n = 0

    def case(name, data, ext="png", maybe_whole=False):
        nonlocal n
        n += 1
        path = os.path.join(w, "image-%03d.%s" % (n, ext))
        with open(path, "wb") as f:
            f.write(data)
        if maybe_whole and decodes_cleanly(path):
            # An independent decoder reads it as a whole image without a warning: accepting it is
            # right (a random edit can leave a valid file); a refusal must still be one line.
            run.either("image %s (a whole JPEG to djpeg)" % name, ["score", "--model", model, path], path, accepted_output="\t")
        else:
            run.bad("image %s" % name, ["score", "--model", model, path], path)

    for cut in sorted(set([8, 16, 33, 40, len(png) // 2, len(png) - 12, len(png) - 1] +
                          [rng.randrange(8, len(png)) for _ in range(14)])):
        case("PNG cut at %d" % cut, png[:cut])
    for i in range(10):
        data = bytearray(png)
        pos = rng.randrange(33, len(data) - 12)
        data[pos] ^= 0x5A
        case("PNG byte %d flipped" % pos, bytes(data))
    for w_, h_ in [(100000, 100000), (2**31 - 1, 1), (0, 10), (10, 0), (65536, 65536)]:
        case("PNG header %dx%d" % (w_, h_), make_png(4, 4, ihdr_override=struct.pack(">IIBBBBB", w_, h_, 8, 0, 0, 0, 0)))
    for depth, colour in [(3, 0), (8, 9), (16, 3), (0, 0)]:
        case("PNG depth %d colour %d" % (depth, colour), make_png(4, 4, ihdr_override=struct.pack(">IIBBBBB", 4, 4, depth, colour, 0, 0, 0)))
    case("PNG with too few rows", make_png(16, 16, rows=b"\x00" * 17 * 4))
    case("PNG with bad filter bytes", make_png(16, 16, rows=b"\x09" * 17 * 16))
    case("PNG signature only", png[:8])
    if jpeg:
        for cut in sorted(set([3, 4, 20, len(jpeg) // 4, len(jpeg) // 2, len(jpeg) * 3 // 4, len(jpeg) - 2] +
                              [rng.randrange(3, len(jpeg) - 2) for _ in range(14)])):
            case("JPEG cut at %d" % cut, jpeg[:cut], ext="jpg")
        for i in range(8):
            data = bytearray(jpeg)
            start = len(data) // 3
            for _ in range(rng.randint(4, 40)):
                data[rng.randrange(start, len(data) - 2)] = rng.randrange(256)
            # A garbled entropy stream decodes with warnings: refused, or (rarely) still a whole image.
            case("JPEG garbled #%d" % i, bytes(data), ext="jpg", maybe_whole=True)
        case("JPEG SOI only", b"\xff\xd8\xff", ext="jpg")
    else:
        run.results.append(("JPEG cases", False, "no JPEG encoder (Pillow or cjpeg) to make a test JPEG"))
    case("zero bytes", b"")
    case("text named .png", b"not an image\n")
    case("a model named .png", open(model, "rb").read()[:4096])
    fifo = os.path.join(w, "image.png")
    os.mkfifo(fifo)
    run.bad("image is a FIFO", ["score", "--model", model, fifo], fifo)
    run.bad("image is a directory", ["score", "--model", model, w], w)
    run.bad("image is /dev/urandom", ["score", "--model", model, "/dev/urandom"], "/dev/urandom")
    # A FIFO inside a fit folder is an error naming it, not a hang.
    folder = os.path.join(w, "fit-with-fifo")
    os.mkdir(folder)
    for i in range(3):
        shutil.copy(images["png"], os.path.join(folder, "good_%d.png" % i))
    os.mkfifo(os.path.join(folder, "good_9.png"))
    run.bad("fit folder with a FIFO", ["fit", "--images", folder, "--model", os.path.join(w, "m.safetensors")], "good_9.png")


def config_cases(run, rng, example):
    w = run.work
    text = open(example, encoding="utf-8").read()
    lines = text.split("\n")
    n = 0

    def write(data):
        nonlocal n
        n += 1
        path = os.path.join(w, "config-%03d.conf" % n)
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
        return path

    def case(name, data, line=True):
        path = write(data)
        run.bad("config %s" % name, ["check-config", "--config", path], path)

    def set_key(section, key, value):
        out, current = [], None
        for l in lines:
            s = l.strip()
            if s.startswith("["):
                current = s.strip("[]")
            if current == section and s.split("=")[0].strip() == key:
                out.append("%s = %s" % (key, value))
                continue
            out.append(l)
            if s == "[%s]" % section and not any(x.strip().split("=")[0].strip() == key for x in lines if x):
                pass
        return "\n".join(out)

    def add_key(section, key, value):
        out = []
        for l in lines:
            out.append(l)
            if l.strip() == "[%s]" % section or l.strip() == "[[%s]]" % section:
                out.append("%s = %s" % (key, value))
        return "\n".join(out)

    run.good("config: the example", ["check-config", "--config", write(text)])
    run.good("config: with a byte-order mark", ["check-config", "--config", write(b"\xef\xbb\xbf" + text.encode())])
    # Unbounded recursion in the parser.
    for depth in [5, 100, 50000, 200000]:
        case("array nested %d deep" % depth, add_key("camera", "roi", "[" * depth + "1" + "]" * depth))
    # Control characters and NULs in values.
    for value in ['"gpiochip0\\n"', '"gpio\\u0000chip"', '"a\\tb"', '"\\r"', '"x\\u001b[31m"', "'raw\x01'"]:
        case("chip %s" % value, add_key("lines", "chip", value))
    case("NUL byte in a path", text.replace('path = "', 'path = "\x00', 1) if 'path = "' in text else add_key("model", "path", '"/var/\x00lib"'))
    case("NUL in a key", add_key("model", "thr\x00eads", "2"))
    case("invalid UTF-8", text.encode("utf-8") + b"\n# \xff\xfe\xc0\x80\n")
    case("a UTF-16 file", text.encode("utf-16"))
    # Numbers.
    for key, section, value in [("threads", "model", "99999999999999999999999"), ("threads", "model", "-1"),
                                ("threads", "model", "0x2"), ("threads", "model", "2.5"), ("threads", "model", "inf"),
                                ("threads", "model", "nan"), ("threads", "model", "1__0"), ("threads", "model", "02"),
                                ("width", "camera", "100000"), ("width", "camera", "-640"), ("fps", "camera", "0"),
                                ("timeout_ms", "camera", "9223372036854775808"), ("margin", "calibration", "1e400"),
                                ("holdout", "calibration", "-0.1"), ("frames", "calibration", "true"),
                                ("pulse_ms", "reject", "0"), ("offset", "reject", "70000"), ("offset", "reject", '"17"'),
                                ("fault_after_ms", "camera", "10")]:
        case("%s = %s" % (key, value), add_key(section, key, value) if set_key(section, key, value) == text else set_key(section, key, value))
    # Structure.
    case("duplicate section", text + "\n[model]\nthreads = 2\n")
    case("duplicate key", add_key("model", "threads", "2") + "\n")
    case("unknown section", text + "\n[modle]\n")
    case("unknown key", add_key("model", "thredas", "2"))
    case("key outside a section", "threads = 2\n" + text)
    case("unterminated string", add_key("model", "path", '"/var/lib/x'))
    case("unterminated array", add_key("camera", "roi", "[1, 2, 3"))
    case("roi outside the frame", add_key("camera", "roi", "[600, 400, 480, 480]"))
    case("roi with 3 numbers", add_key("camera", "roi", "[0, 0, 10]"))
    case("trigger without a sensor", add_key("service", "trigger", '"part-present"') if "[service]" in text else text + '\n[service]\ntrigger = "part-present"\n')
    case("a 2 MB file", text + "\n#" + "x" * (2 << 20) + "\n")
    case("a 100 kB line", add_key("model", "path", '"' + "a" * 100000 + '"'))
    case("empty file", "")
    case("only a comment", "# nothing\n")
    case("binary garbage", bytes(rng.randrange(256) for _ in range(4096)))
    # Random deletions of required lines, each a known-bad file.
    required = [i for i, l in enumerate(lines) if l.strip().split("=")[0].strip() in ("device", "offset")]
    for i in required[:4]:
        case("without line %d (%s)" % (i + 1, lines[i].strip()[:30]), "\n".join(lines[:i] + lines[i + 1:]))
    for i in range(12):
        garbled = list(text)
        for _ in range(rng.randint(1, 3)):
            garbled.insert(rng.randrange(len(garbled)), rng.choice(["[", "]", "\"", "=", "[[x]]", "\\", "\x07"]))
        data = "".join(garbled)
        path = write(data)
        # A random edit can leave a valid file; only refusals must be one line naming the file.
        status, out, err = run.invoke(["check-config", "--config", path])
        run.counts["cases"] += 1
        lines_err = [l for l in err.splitlines() if l.strip()]
        ok = status is not None and 0 <= status < 128 and (status == 0 or (status == 1 and len(lines_err) == 1 and path in lines_err[0]))
        if status is None:
            run.counts["hangs"] += 1
        elif status < 0 or status >= 128:
            run.counts["crashes"] += 1
        elif not ok:
            run.counts["bad messages"] += 1
        run.results.append(("config garbled #%d" % i, ok, "status %s %s" % (status, (lines_err or [""])[0][:160])))
    fifo = os.path.join(w, "config.fifo")
    os.mkfifo(fifo)
    run.bad("config is a FIFO", ["check-config", "--config", fifo], fifo)
    run.bad("config is a directory", ["check-config", "--config", w], w)
    run.bad("config is /dev/zero", ["check-config", "--config", "/dev/zero"], "/dev/zero")
    run.bad("safe-outputs with a FIFO config", ["safe-outputs", "--config", fifo], fifo)
    status_fifo = os.path.join(w, "status.fifo")
    os.mkfifo(status_fifo)
    run.bad("status file is a FIFO", ["status", "--status", status_fifo], status_fifo)
    garbage_status = write(b"{\"state\": " + b"[" * 100000)
    run.bad("status file nested 100000 deep", ["status", "--status", garbage_status], garbage_status)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--work")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    work = args.work or tempfile.mkdtemp(prefix="lineside-fuzz-")
    os.makedirs(work, exist_ok=True)
    rng = random.Random(args.seed)
    run = Run(binary, work)

    # The valid starting points: generated good parts, a fitted model, a PNG and a JPEG of a part.
    good = os.path.join(work, "good")
    subprocess.run([binary, "generate", "--out", good, "--good", "12", "--defective", "0"], check=True, capture_output=True)
    base = os.path.join(work, "base.safetensors")
    fit = subprocess.run([binary, "fit", "--images", good, "--model", base, "--holdout", "0.2"], capture_output=True)
    if fit.returncode != 0:
        print("fuzz: cannot fit the starting model: %s" % fit.stderr.decode()[-400:])
        print("fuzz: 0 passed, 1 failed")
        return 1
    png = sorted(os.path.join(good, f) for f in os.listdir(good) if f.endswith(".png"))[0]
    jpeg = os.path.join(work, "part.jpg")
    have_jpeg = make_jpeg(png, jpeg)
    current = os.path.join(work, "current.safetensors")
    shutil.copy(base, current)
    base_bytes = open(base, "rb").read()

    model_cases(run, rng, base_bytes, png, current)
    save_cases(run, base, png, good)
    image_cases(run, rng, base, {"png": png, "jpeg": jpeg if have_jpeg else None})
    config_cases(run, rng, os.path.join(repo, "board", "lineside.conf.example-rpi"))
    run.model_intact("after every case, the starting model", base, png)

    failed = [r for r in run.results if not r[1]]
    for name, ok, why in run.results:
        if args.verbose or not ok:
            print("%s %s: %s" % ("ok  " if ok else "FAIL", name, why))
    c = run.counts
    print("fuzz: %d cases (seed %d): crashes %d, hangs %d, accepted-bad %d, lost models %d, wrong messages %d"
          % (c["cases"], args.seed, c["crashes"], c["hangs"], c["accepted-bad"], c["lost models"], c["bad messages"]))
    print("fuzz: %d passed, %d failed" % (len(run.results) - len(failed), len(failed)))
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
