import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTaskRef, loadTaskRefs } from "../../src/tasks/group.js";

describe("group files (loadTaskRef)", () => {
  let dir: string;
  const write = (name: string, text: string) => writeFile(path.join(dir, name), text);
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "streameval-groups-"));
    await mkdir(path.join(dir, "sub"));
    await write("_base_yaml", "output_type: generate_until\ndoc_to_text: \"{{q}}\"\ndoc_to_target: \"{{a}}\"\nrepeats: 1\n");
    await write("t1.yaml", "include: _base_yaml\ntask: t1\ntag: [letters]\n");
    await write("t2.yaml", "include: _base_yaml\ntask: t2\ntag: letters\n");
    await write(path.join("sub", "t3.yaml"), "include: ../_base_yaml\ntask: t3\n");
    await write("tagged.yaml", "group: tagged\ntask:\n  - letters\n  - task: t3\n    repeats: 4\nrepeats: 2\naggregate_metric_list:\n  - metric: exact_match\n    filter_list: none\n    weight_by_size: false\n");
    await write("inline.yaml", "group: outer\ntask:\n  - group: inner\n    task: [t1]\n  - task: adhoc\n    output_type: generate_until\n    doc_to_text: \"{{q}}\"\n    doc_to_target: \"{{a}}\"\n");
    await write("unknown.yaml", "group: g\ntask:\n  - t1\n  - nope\n");
    await write("twice.yaml", "group: g2\ntask:\n  - t1\n  - letters\n");
    await write("list-no-group.yaml", "task:\n  - t1\n");
    await write("empty.yaml", "group: g3\ntask: []\n");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("expands tags in sorted order, applies group and item overrides, nests groups", async () => {
    const { tasks, groups } = await loadTaskRef("tagged.yaml", { cwd: dir });
    expect(tasks.map((t) => [t.name, t.repeats])).toEqual([["t1", 2], ["t2", 2], ["t3", 4]]);
    expect(groups).toEqual([{ name: "tagged", tasks: ["t1", "t2", "t3"], aggregate: [{ metric: "exact_match", filters: ["none"], weightBySize: false }] }]);
    const inline = await loadTaskRef("inline.yaml", { cwd: dir });
    expect(inline.tasks.map((t) => t.name)).toEqual(["t1", "outer::adhoc"]);
    expect(inline.groups.map((g) => [g.name, g.tasks])).toEqual([["outer", ["t1", "outer::adhoc"]], ["outer::inner", ["t1"]]]);
  });

  it("reads weight_by_size as lm-eval does (`if not weight_by_size`): Python truthiness, an empty value unweighted, absent weighted", async () => {
    const cases = [["truez", true], ["0", false], ["", false], ["[]", false], ["yes", true]] as const;
    for (const [raw, weighted] of cases) {
      await write("w.yaml", `group: w\ntask: [t1]\naggregate_metric_list:\n  - metric: exact_match\n    weight_by_size: ${raw}\n`);
      expect((await loadTaskRef("w.yaml", { cwd: dir })).groups[0]!.aggregate[0]!.weightBySize, raw).toBe(weighted);
    }
    await write("w.yaml", "group: w\ntask: [t1]\naggregate_metric_list:\n  - metric: exact_match\n");
    expect((await loadTaskRef("w.yaml", { cwd: dir })).groups[0]!.aggregate[0]!.weightBySize).toBe(true);
  });

  it("takes a function in aggregate_metric_list as lm-eval 0.4.13 does: an `aggregation` it never calls (the mean), a `metric` that names no task metric", async () => {
    await write("fn.yaml", "group: fn\ntask: [t1]\naggregate_metric_list:\n  - metric: exact_match\n    aggregation: !function script.aggregate_metrics\n    weight_by_size: false\n  - metric: !function bleu.smoothed_bleu_4\n");
    expect((await loadTaskRef("fn.yaml", { cwd: dir })).groups[0]!.aggregate).toEqual([{ metric: "exact_match", weightBySize: false }]);
    await write("fn.yaml", "group: fn\ntask: [t1]\naggregate_metric_list:\n  - metric: exact_match\n    aggregation: median\n");
    await expect(loadTaskRef("fn.yaml", { cwd: dir })).rejects.toThrow("fn.yaml:5, key `aggregate_metric_list[0].aggregation`: unsupported group aggregation `\"median\"`: lm-eval 0.4.13 defines only `mean`");
  });

  it("a group's own `!function` keys (darija_bench's metric_list) override its tasks', resolved from the group file's folder", async () => {
    await write("hooked.yaml", "group: hooked\ntask: [t1]\nmetric_list:\n  - metric: !function grouputils.score\n    aggregation: mean\n");
    const { tasks } = await loadTaskRef("hooked.yaml", { cwd: dir });
    const hook = tasks[0]!.metrics[0]!.python!.hook;
    expect([hook.spec, hook.dir, hook.file, hook.line]).toEqual(["grouputils.score", dir, "hooked.yaml", 4]);
  });

  it("indexes a tag from a file whose quoted prompt has continuation lines indented less than its key (evalita), as PyYAML reads it", async () => {
    // A folder of its own: the index of a folder is built once per process.
    await mkdir(path.join(dir, "q"));
    await write(path.join("q", "quoted.yaml"), "include: ../_base_yaml\ntag: quoted_tag\ntask: quoted\ndoc_to_text: \"Line one\n\nText: '{{q}}'\nAnswer:\"\n");
    await write(path.join("q", "qgroup.yaml"), "group: qgroup\ntask: [quoted_tag]\n");
    const { tasks } = await loadTaskRef(path.join("q", "qgroup.yaml"), { cwd: dir });
    expect(tasks.map((t) => [t.name, t.prompt({ q: "x" })])).toEqual([["quoted", "Line one\nText: 'x' Answer:"]]);
  });

  it("names the file, line and key of what it cannot resolve", async () => {
    await expect(loadTaskRef("unknown.yaml", { cwd: dir })).rejects.toThrow("unknown.yaml:4, key `task[1]`: no task, group or tag named `nope`");
    await expect(loadTaskRef("twice.yaml", { cwd: dir })).rejects.toThrow(/key `task\[1\]`: task `t1` is in more than one group/);
    await expect(loadTaskRef("list-no-group.yaml", { cwd: dir })).rejects.toThrow("list-no-group.yaml:1, key `task`: a list of tasks needs a `group:` name (a group file)");
    await expect(loadTaskRef("empty.yaml", { cwd: dir })).rejects.toThrow("empty.yaml:2, key `task`: the group lists no task");
    await expect(loadTaskRefs(["t1.yaml", "t1.yaml"], { cwd: dir })).rejects.toThrow("task `t1` is loaded twice");
  });
});
