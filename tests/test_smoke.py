from support import bearer, district_of_its_own, eventually, running


async def test_note_flows_to_synthesis_and_dashboard(settings):
    async with (
        district_of_its_own(settings, "D") as district,
        running("intake", settings) as (_, intake),
        running("synthesis", settings) as (_, synth),
        running("dashboard", settings) as (_, dash),
    ):
        r = await intake.post(
            "/v1/notes",
            json={"place": {"district": district}, "concerns": [{"text": "lights"}], "sentiment": 2, "attendees": 6},
            headers=bearer(settings, "liaison"),
        )
        assert r.status_code == 201, r.text
        sup = bearer(settings, "supervisor")

        async def counted() -> bool:
            s = (await synth.get("/v1/notes/stats", headers=sup)).json()
            d = (await dash.get("/v1/activity", headers=sup)).json()
            dash_count = next((x["notes"] for x in d["districts"] if x["district"] == district), 0)
            return s["by_district"].get(district) == 1 and dash_count == 1

        # The first synthesis of a test session reads the notes topic from the start: the other
        # tests' notes (thousands from the delivery tests) come before this one.
        await eventually(counted, timeout_s=60)
