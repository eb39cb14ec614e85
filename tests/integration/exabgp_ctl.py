# SPDX-License-Identifier: GPL-2.0-or-later
"""ExaBGP API process for the tests: forwards each line appended to a
command file to ExaBGP (which reads its processes' stdout), so a test can
announce and withdraw routes while the session stays up.

  exabgp_ctl.py COMMAND_FILE
"""
import sys
import time


def main(path):
    with open(path, "a+") as f:
        f.seek(0)
        while True:
            line = f.readline()
            if not line:
                time.sleep(0.05)
                continue
            sys.stdout.write(line if line.endswith("\n") else line + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1])
