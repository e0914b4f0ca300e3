#!/usr/bin/python3
"""Bench RTSP camera: serves a pre-encoded H.264 MP4 in real time (no encoding in the loop, so the
camera costs almost nothing). Each client gets its own pipeline from the start of the file.
Usage: rtsp-file-server.py <port> <path> <file.mp4>. Prints READY when listening."""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

port, path, media = sys.argv[1], sys.argv[2], sys.argv[3]
Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(
    f"( filesrc location={media} ! qtdemux ! h264parse config-interval=-1 "
    "! rtph264pay name=pay0 pt=96 config-interval=-1 )"
)
factory.set_shared(False)
server.get_mount_points().add_factory("/" + path, factory)
if server.attach(None) == 0:
    print("rtsp-file-server: cannot bind port " + port, file=sys.stderr)
    sys.exit(1)
print("READY", flush=True)
GLib.MainLoop().run()
