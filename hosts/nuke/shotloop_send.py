"""``nuke -t shotloop_send.py script.nk Read1 [Read2 ...] --model gen4_turbo --prompt "..."``

Terminal-mode send: opens the script, sends the named nodes, waits for their versions, saves.
"""
import sys

from shotloop_nuke.headless import main

sys.exit(main(sys.argv[1:]))
