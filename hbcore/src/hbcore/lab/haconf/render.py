"""Text of ha.cf, haresources and authkeys, in the order heartbeat wants its directives."""

from __future__ import annotations

from hbcore.lab.haconf.model import Auth, ClusterConfig, NodeFacts


def render_ha_cf(config: ClusterConfig, node: NodeFacts) -> str:
    """ha.cf for ``node``: logging, timers, ``udpport`` before the media, then the nodes."""
    lines = [f"logfile {config.logfile}"]
    if config.debugfile is not None:
        lines.append(f"debugfile {config.debugfile}")
    lines += ["logfacility none", "use_logd no"]
    timers = config.timers
    lines += [f"keepalive {_duration(timers.keepalive)}", f"deadtime {_duration(timers.deadtime)}"]
    if timers.warntime is not None:
        lines.append(f"warntime {_duration(timers.warntime)}")
    if timers.initdead is not None:
        lines.append(f"initdead {_duration(timers.initdead)}")
    lines.append(f"udpport {config.udpport}")
    for medium in config.media:
        lines += medium.directives(node)
    lines.append(f"auto_failback {config.auto_failback}")
    lines += [f"node {name}" for name in node.cluster]
    lines.append(f"crm {config.crm}")
    lines += config.extra
    return "\n".join(lines) + "\n"


def render_haresources(config: ClusterConfig) -> str:
    """haresources: the configured lines, or an empty file."""
    return "".join(f"{line}\n" for line in config.resources)


def render_authkeys(auth: Auth) -> str:
    """authkeys for one method; ``crc`` takes no key."""
    secret = "" if auth.method == "crc" else f" {auth.key}"
    return f"auth {auth.index}\n{auth.index} {auth.method}{secret}\n"


def _duration(seconds: float) -> str:
    """Whole seconds as heartbeat's bare number, anything finer as milliseconds."""
    millis = round(seconds * 1000)
    return str(millis // 1000) if millis % 1000 == 0 else f"{millis}ms"
