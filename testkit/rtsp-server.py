#!/usr/bin/python3
"""A GStreamer RTSP test camera (RECIPES "RTSP camera for tests"): H.264 test pattern, shared
media, TCP and UDP transports. Usage: rtsp-server.py <port> <path> [basic|digest <user> <password>].
With an auth method, the camera answers 401 until the client authenticates that way (as real cameras
do). Prints READY when listening."""
import os
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
gi.require_version("GstRtsp", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

port, path = sys.argv[1], sys.argv[2]
Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
# GWANJE_RTSP_LAUNCH replaces the test pattern with another pipeline (a flame over the pattern,
# a video file); it must end in an RTP payloader named pay0.
factory.set_launch(
    os.environ.get("GWANJE_RTSP_LAUNCH")
    or "( videotestsrc is-live=true pattern=ball ! video/x-raw,width=640,height=360,framerate=15/1 "
    "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=15 bitrate=500 "
    "! rtph264pay name=pay0 pt=96 config-interval=1 )"
)
factory.set_shared(True)
if len(sys.argv) >= 6:
    method, user, password = sys.argv[3], sys.argv[4], sys.argv[5]
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string("media.factory.role", "viewer")
    if method == "digest":
        auth.add_digest(user, password, token)
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
    else:
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.BASIC)
    server.set_auth(auth)
    permissions = GstRtspServer.RTSPPermissions()
    permissions.add_permission_for_role("viewer", "media.factory.access", True)
    permissions.add_permission_for_role("viewer", "media.factory.construct", True)
    factory.set_permissions(permissions)
server.get_mount_points().add_factory("/" + path, factory)
if server.attach(None) == 0:
    print("rtsp-server: cannot bind port " + port, file=sys.stderr)
    sys.exit(1)
print("READY", flush=True)
GLib.MainLoop().run()
