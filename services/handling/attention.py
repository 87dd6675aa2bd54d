"""Handlers see the cases that need attention: a case with an event its worklist or its relay set
aside (ogi.setaside) is marked `needs_attention` on its worklist line and in GetCase, so that no
case is silently lost while the operator looks into why.

Kept apart from api.py and wire.py, which other work on the API's edges is changing at the same
time; once that has landed the two marks belong in wire.py."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import grpc

from ogi.v1 import handling_pb2
from services.handling.api import HandlingServicer


class AttentiveHandlingServicer(HandlingServicer):
    """HandlingServicer whose worklist lines and cases say whether they need attention."""

    def __init__(self, *args: Any, needing_attention: Callable[[], set[str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.needing_attention = needing_attention

    async def ListWorklist(  # noqa: N802 - the generated method's name
        self, request: handling_pb2.ListWorklistRequest, context: grpc.aio.ServicerContext
    ) -> handling_pb2.ListWorklistResponse:
        response = await super().ListWorklist(request, context)
        marked = await asyncio.to_thread(self.needing_attention)
        for item in response.items:
            item.needs_attention = item.case_id in marked
        return response

    async def GetCase(  # noqa: N802
        self, request: handling_pb2.GetCaseRequest, context: grpc.aio.ServicerContext
    ) -> handling_pb2.GetCaseResponse:
        response = await super().GetCase(request, context)
        marked = await asyncio.to_thread(self.needing_attention)
        response.case.needs_attention = response.case.case_id in marked
        return response
