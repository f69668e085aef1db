import { deepLinkOf } from "../../portal/deep-link";

/**
 * The portal's deep link (`?lob=&team=&app=`): only lob, team and a known app are taken from the
 * address; `space` never is; an unknown app is dropped with a notice.
 */
describe("the portal's deep link", () => {
  it("takes lob, team and a known app", () => {
    expect(deepLinkOf("?lob=lob-a&team=analytics&app=jupyterlab")).toEqual({
      lob: "lob-a",
      team: "analytics",
      app: "jupyterlab",
      notice: "",
    });
    expect(deepLinkOf("?lob=lob-a")).toEqual({ lob: "lob-a", notice: "" });
    expect(deepLinkOf("")).toBeUndefined();
    expect(deepLinkOf("?team=analytics&app=studio")).toBeUndefined();
  });

  it("never takes space from the address, nor any other parameter", () => {
    expect(deepLinkOf("?lob=lob-a&team=analytics&app=codeeditor&space=someone-elses&x=1")).toEqual({
      lob: "lob-a",
      team: "analytics",
      app: "codeeditor",
      notice: "",
    });
  });

  it("ignores an app the API does not accept, with a notice naming the known ones", () => {
    expect(deepLinkOf("?lob=lob-a&app=https://evil.example")).toEqual({
      lob: "lob-a",
      notice:
        "The link asked for an app this page does not know; it opens Studio's default instead (apps: studio, jupyterlab, codeeditor).",
    });
    // Not a prototype key either.
    expect(deepLinkOf("?lob=lob-a&app=constructor")).toMatchObject({
      notice: expect.stringMatching(/^The link/) as unknown,
    });
  });
});
