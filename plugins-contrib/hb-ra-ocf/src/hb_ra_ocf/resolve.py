"""From a parsed token to an agent: find the agent, read an ``OCF::`` token's instance file,
and check the parameters against the agent's meta-data.

The meta-data is read (by running ``AGENT meta-data``, cached per agent file) only when no
event loop runs in this thread: ``hb check`` and the node's start-up and reload checks, which
run before the loop or in a worker thread. On the loop (the node building its groups after the
check passed) only a cached answer is used, so resolving never blocks the loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from hb_hookspecs import HostError, ResourceContext

from hb_ra_ocf import catalog, metadata_cache
from hb_ra_ocf.agent import OcfAgent
from hb_ra_ocf.instance_file import PARAMETER_PREFIX, instance_path, read_instance
from hb_ra_ocf.metadata import MetaData, MetaDataError
from hb_ra_ocf.resource import OcfResource, base_environment, check_parameters
from hb_ra_ocf.tokens import OcfToken, WrapperToken


def resolve(parsed: OcfToken | WrapperToken, context: ResourceContext) -> OcfAgent:
    """The agent of ``parsed``; raises ``ArgumentError`` or ``HostError`` as
    ``hb_resolve_resource`` documents."""
    root = catalog.ocf_root(context.environment)
    if isinstance(parsed, WrapperToken):
        resource, how_to_add = _wrapped(parsed, root, context.config_dir)
    else:
        path = catalog.agent_file(root, parsed.provider, parsed.agent)
        if path is None:
            raise catalog.missing(root, parsed.provider, parsed.agent)
        resource = OcfResource(
            parsed.token,
            parsed.provider,
            parsed.agent,
            path,
            root,
            parsed.instance,
            parsed.parameters,
            parsed.timeouts,
        )

        def how_to_add(name: str) -> str:
            return f"add ::{name}=VALUE"

    metadata = _metadata(resource, context)
    if metadata is not None:
        check_parameters(resource, metadata, how_to_add)
    return OcfAgent(resource, context.environment, metadata)


def _wrapped(
    parsed: WrapperToken, root: Path, config_dir: Path
) -> tuple[OcfResource, Callable[[str], str]]:
    found = catalog.wrapper_agent(root, parsed.agent)
    if found is None:
        raise catalog.missing_wrapper_agent(root, parsed.agent)
    provider, path = found
    settings = read_instance(instance_path(config_dir, parsed.agent, parsed.instance))
    resource = OcfResource(
        parsed.token,
        provider,
        parsed.agent,
        path,
        root,
        parsed.instance,
        settings.parameters,
        exported=settings.environment,
        heartbeat_command=f"{config_dir / 'resource.d' / 'OCF'} {parsed.agent} {parsed.instance}",
    )

    def how_to_add(name: str) -> str:
        return f"add {PARAMETER_PREFIX}{name}=VALUE to {settings.path}"

    return resource, how_to_add


def _metadata(resource: OcfResource, context: ResourceContext) -> MetaData | None:
    """The agent's meta-data: read now off the loop, from the cache on it (None when not
    cached there). Unreadable meta-data is a fact of this host."""
    if _on_event_loop():
        known = metadata_cache.cached(resource.path)
        return known if isinstance(known, MetaData) else None
    environment = base_environment(resource.root, context.environment)
    try:
        return metadata_cache.read(resource.path, environment)
    except MetaDataError as error:
        raise HostError(
            f"{resource.kind}: {error}",
            "repair or reinstall the agent: without its meta-data hb can check no parameter",
        ) from None


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
