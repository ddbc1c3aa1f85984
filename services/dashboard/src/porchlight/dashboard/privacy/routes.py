"""GET /v1/privacy: the privacy policy, as written in docs/privacy.md, rendered for the web UI."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Depends
from markdown_it import MarkdownIt
from pydantic import BaseModel, ConfigDict, Field

from porchlight.kit.auth import Allow, Role

router = APIRouter(tags=["privacy"])

#: The policy's one copy; docs/privacy.md links to it, so the repository and the running
#: platform say the same words.
POLICY = Path(__file__).with_name("policy.md")


class PrivacyPolicy(BaseModel):
    """What engagement data may and may not be used for, and who reads residents' words."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "markdown": "# Privacy\n\nIt may **not** be used to identify a resident.\n",
                    "html": "<h1>Privacy</h1>\n<p>It may <strong>not</strong> be used to identify a resident.</p>\n",
                }
            ]
        }
    )

    markdown: str = Field(description="The policy as written (docs/privacy.md)")
    html: str = Field(description="The same, rendered (CommonMark with tables; raw HTML in it is escaped)")


@lru_cache(maxsize=1)
def _policy() -> PrivacyPolicy:
    text = POLICY.read_text(encoding="utf-8")
    # html=False: anything that looks like a tag is shown as text, so the rendering is safe to
    # insert into the page.
    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(text)
    return PrivacyPolicy(markdown=text, html=html)


#: Every role, auditors included: the policy binds everyone who signs in.
ANYONE = [Depends(Allow(*Role))]


@router.get("/v1/privacy", response_model=PrivacyPolicy, dependencies=ANYONE)
async def get_privacy_policy() -> PrivacyPolicy:
    """The privacy policy: what engagement data may and may not be used for, who reads what.

    Shown to admins and auditors in the web UI; any signed-in person may read it."""
    return _policy()
