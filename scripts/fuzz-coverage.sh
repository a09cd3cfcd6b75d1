#!/usr/bin/env bash
# Prints, for every decoder fuzz target of the last fuzz run, its summary line and the JaCoCo
# coverage of the classes it is about (the target's "covers" list): line and branch coverage of the
# decoding methods (everything except encoders, builders, toString/equals/hashCode and I/O entry
# points, which a decoder fuzz does not call), per class and in total, and of the whole classes.
# Usage: scripts/fuzz-coverage.sh MODULE_DIR...   (after mvn -Pfuzz test; see ./mpsec fuzz)
set -euo pipefail
exec python3 - "$@" <<'PY'
import glob, os, re, sys
import xml.etree.ElementTree as ET

# Methods a decoder fuzz does not exercise: encoders, request builders, printing, I/O entry points.
NOT_DECODING = re.compile(r"^(encode\w*|toBytes|write\w*|writer|request|getFamilyRequest|resolve|toString|hashCode|"
                          r"equals|hexDump|forWindow|of|ofId|with\w+|op|cmd|netlinkFlags|withBackupFlags|withBackup|"
                          r"fromDump|openInSocketNamespace|family|describe|lambda\$.*)$")

def counters(el):
    c = {}
    for k in el.findall("counter"):
        c[k.get("type")] = (int(k.get("missed")), int(k.get("covered")))
    return c

def pct(missed, covered):
    total = missed + covered
    return "   -" if total == 0 else "%3d%%" % (100 * covered // total)

def fmt(m_c_lines, m_c_br):
    (lm, lc), (bm, bc) = m_c_lines, m_c_br
    return "lines %s (%d/%d), branches %s (%d/%d)" % (pct(lm, lc), lc, lm + lc, pct(bm, bc), bc, bm + bc)

status = 0
for module in sys.argv[1:]:
    fuzz = os.path.join(module, "target", "fuzz")
    if not os.path.isdir(fuzz):
        continue
    xml = os.path.join(module, "target", "site", "jacoco", "jacoco.xml")
    if not os.path.exists(xml):
        print("[fuzz] %s: no JaCoCo report (%s); run with -Pfuzz" % (module, xml), file=sys.stderr)
        status = 1
        continue
    classes = {}
    for cls in ET.parse(xml).getroot().iter("class"):
        name = cls.get("name").replace("/", ".")
        outer = name.split("$")[0]
        entry = classes.setdefault(outer, {"dec": [[0, 0], [0, 0]], "all": [[0, 0], [0, 0]]})
        for m in cls.findall("method"):
            c = counters(m)
            for key in ("all",) + (() if NOT_DECODING.match(m.get("name")) else ("dec",)):
                for i, t in enumerate(("LINE", "BRANCH")):
                    mi, co = c.get(t, (0, 0))
                    entry[key][i][0] += mi
                    entry[key][i][1] += co
    for tsv in sorted(glob.glob(os.path.join(fuzz, "*.tsv"))):
        lines = open(tsv).read().splitlines()
        print(lines[0])
        covers = [c for c in lines[1].split("\t", 1)[1].split(",") if c] if len(lines) > 1 else []
        tot = {"dec": [[0, 0], [0, 0]], "all": [[0, 0], [0, 0]]}
        rows = []
        for c in covers:
            e = classes.get(c)
            if e is None:
                continue
            for key in tot:
                for i in range(2):
                    tot[key][i][0] += e[key][i][0]
                    tot[key][i][1] += e[key][i][1]
            rows.append("         %-20s decoding %s" % (c.rsplit(".", 1)[1], fmt(*e["dec"])))
        print("       coverage of the decoding methods: %s; whole classes: %s" % (fmt(*tot["dec"]), fmt(*tot["all"])))
        for r in rows:
            print(r)
    print("[fuzz] full report: %s" % os.path.join(module, "target", "site", "jacoco", "index.html"))
sys.exit(status)
PY
