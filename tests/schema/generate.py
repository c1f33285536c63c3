#!/usr/bin/env python3
"""Render OCSF event classes as JSON Schema (draft 2020-12) for tests/ocsf_schema.rs.

Reads the OCSF schema sources (https://github.com/ocsf/ocsf-schema, Apache-2.0)
straight from a git repository at a tag, and writes one self-contained schema
per class, with every object the class reaches under "$defs":

    git clone --bare https://github.com/ocsf/ocsf-schema /tmp/ocsf-schema.git
    python3 tests/schema/generate.py /tmp/ocsf-schema.git v1.1.0 tests/schema

What a rendered schema checks, from the OCSF sources:
- the attributes a class or object has (after "extends" and "$include"), and
  no others (additionalProperties: false), except OCSF's generic `object`
  (`unmapped`, `data`) and `json_t` values, which hold anything;
- "requirement": "required" attributes are present;
- value types from dictionary.json: the base JSON type of each `*_t` type,
  its regex, max_len and range; arrays where "is_array" is set;
- integer enums (`*_id`), with the class's own values merged with the
  dictionary's (observable.type_id: the numbers OCSF puts on observable
  types, attributes and objects); class_uid, category_uid and type_uid
  exactly;
- object constraints: "at_least_one" and "just_one".
Attributes of profiles other than the ones named with --profile are left out
(ctfilter declares only `cloud`). Descriptions are not copied; captions are.
"""
import argparse
import json
import subprocess
import sys

BASE = {
    "string_t": {"type": "string"},
    "integer_t": {"type": "integer"},
    "long_t": {"type": "integer"},
    "float_t": {"type": "number"},
    "boolean_t": {"type": "boolean"},
    "json_t": {},
}


class Source:
    def __init__(self, git_dir, ref):
        self.git_dir, self.ref = git_dir, ref
        listing = self._git("ls-tree", "-r", "--name-only", ref)
        self.paths = [p for p in listing.splitlines() if p.endswith(".json")]

    def _git(self, *args):
        return subprocess.run(
            ["git", "--git-dir", self.git_dir, *args],
            check=True, capture_output=True, text=True,
        ).stdout

    def load(self, path):
        return json.loads(self._git("show", f"{self.ref}:{path}"))


def merge_attr(base, over):
    out = dict(base)
    for key, value in over.items():
        if key == "enum" and "enum" in out:
            out["enum"] = {**out["enum"], **value}
        else:
            out[key] = value
    return out


class Renderer:
    def __init__(self, src, profiles):
        self.src, self.profiles = src, set(profiles)
        d = src.load("dictionary.json")
        self.dict_attrs = d["attributes"]
        self.types = d["types"]["attributes"]
        self.objects = {}
        self.classes = {}
        for path in src.paths:
            if path.startswith("objects/"):
                o = src.load(path)
                self.objects[o["name"]] = o
            elif path.startswith("events/"):
                c = src.load(path)
                self.classes[c["name"]] = (path, c)
        self.categories = src.load("categories.json")["attributes"]
        self.version = src.load("version.json")["version"]
        self.defs = {}

    def includes(self, attrs):
        out = {}
        for path in attrs.get("$include", []):
            if path.startswith("profiles/"):
                name = path[len("profiles/"):-len(".json")]
                if name not in self.profiles:
                    continue
            inc = self.src.load(path)
            for k, v in self.includes(inc.get("attributes", {})).items():
                out[k] = merge_attr(out.get(k, {}), v)
        for k, v in attrs.items():
            if k != "$include":
                out[k] = merge_attr(out.get(k, {}), v)
        return out

    def chain_attrs(self, item, lookup):
        attrs = {}
        parent = item.get("extends")
        if parent:
            attrs = self.chain_attrs(lookup(parent), lookup)
        for k, v in self.includes(item.get("attributes", {})).items():
            attrs[k] = merge_attr(attrs.get(k, {}), v)
        return attrs

    def scalar(self, type_name):
        t = self.types.get(type_name, {})
        schema = dict(BASE[type_name] if type_name in BASE else self.scalar(t["type"]))
        if "regex" in t:
            schema["pattern"] = t["regex"]
        if "max_len" in t:
            schema["maxLength"] = t["max_len"]
        if "range" in t:
            schema["minimum"], schema["maximum"] = t["range"]
        return schema

    def observable_ids(self):
        """observable.type_id values: OCSF numbers them on the types,
        dictionary attributes and objects marked "observable"."""
        ids = set()
        for table in (self.types, self.dict_attrs, self.objects):
            ids.update(v["observable"] for v in table.values() if "observable" in v)
        return {str(i): {} for i in ids}

    def attr_schema(self, name, spec, owner=None):
        full = merge_attr(self.dict_attrs.get(name, {}), spec)
        if owner == "observable" and name == "type_id":
            full = merge_attr(full, {"enum": self.observable_ids()})
        kind = full.get("type")
        if kind is None:
            raise SystemExit(f"attribute {name} has no type")
        if kind.endswith("_t"):
            schema = self.scalar(kind)
            enum = full.get("enum")
            if enum and schema.get("type") == "integer":
                schema["enum"] = sorted(int(k) for k in enum)
        else:
            schema = {"$ref": f"#/$defs/{self.object_def(kind)}"}
        if "caption" in full:
            schema = {"title": full["caption"], **schema} if "$ref" not in schema else {"title": full["caption"], "allOf": [schema]}
        if full.get("is_array"):
            schema = {"type": "array", "items": schema}
        return schema

    def body(self, attrs, constraints, open_object=False, owner=None):
        props, required = {}, []
        for name in sorted(attrs):
            props[name] = self.attr_schema(name, attrs[name], owner)
            if attrs[name].get("requirement") == "required":
                required.append(name)
        schema = {"type": "object", "properties": props}
        if required:
            schema["required"] = required
        if not open_object:
            schema["additionalProperties"] = False
        rules = []
        for key, word in (("at_least_one", "anyOf"), ("just_one", "oneOf")):
            names = (constraints or {}).get(key)
            if names:
                rules.append({word: [{"required": [n]} for n in names]})
        if rules:
            schema["allOf"] = rules
        return schema

    def object_def(self, name):
        if name in self.defs:
            return name
        self.defs[name] = None  # recursion guard
        obj = self.objects[name]
        attrs = self.chain_attrs(obj, lambda n: self.objects[n])
        schema = self.body(attrs, obj.get("constraints"), open_object=(name == "object"), owner=name)
        self.defs[name] = {"title": obj.get("caption", name), **schema}
        return name

    def event(self, class_name):
        path, c = self.classes[class_name]
        by_name = {v["name"]: v for _, v in self.classes.values()}
        attrs = self.chain_attrs(c, lambda n: by_name[n])
        schema = self.body(attrs, c.get("constraints"))
        category = c.get("category") or self.inherited(c, by_name, "category")
        category_uid = self.categories[category]["uid"]
        class_uid = category_uid * 1000 + c["uid"]
        props = schema["properties"]
        props["class_uid"] = {"const": class_uid}
        props["category_uid"] = {"const": category_uid}
        activities = props["activity_id"].get("enum", [])
        props["type_uid"] = {"enum": [class_uid * 100 + a for a in activities]}
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://schema.ocsf.io/{self.version}/classes/{class_name}",
            "title": f"OCSF {self.version} {c['caption']} ({class_uid}), profiles: {', '.join(sorted(self.profiles)) or 'none'}",
            "$comment": "Generated by tests/schema/generate.py from github.com/ocsf/ocsf-schema "
            f"version {self.version} (Apache-2.0). Do not edit; regenerate.",
            **schema,
            "$defs": {k: self.defs[k] for k in sorted(self.defs)},
        }

    def inherited(self, c, by_name, key):
        while c.get("extends"):
            c = by_name[c["extends"]]
            if c.get(key):
                return c[key]
        raise SystemExit(f"no {key} for {c['name']}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("git_dir")
    ap.add_argument("ref")
    ap.add_argument("out_dir")
    ap.add_argument("--profile", action="append", default=None)
    ap.add_argument("--class", dest="classes", action="append",
                    default=None, help="class name (default: api_activity, detection_finding)")
    args = ap.parse_args()
    src = Source(args.git_dir, args.ref)
    for name in args.classes or ["api_activity", "detection_finding"]:
        r = Renderer(src, args.profiles if args.profile else ["cloud"])
        schema = r.event(name)
        out = f"{args.out_dir}/ocsf-{r.version}-{name.replace('_', '-')}.schema.json"
        with open(out, "w") as f:
            json.dump(schema, f, indent=1, sort_keys=False)
            f.write("\n")
        print(f"wrote {out}: {len(schema['$defs'])} objects", file=sys.stderr)


if __name__ == "__main__":
    main()
