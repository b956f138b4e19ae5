import { ConfigSchema } from "@flotilla/protocol";
import { z } from "zod";

/** Where the config's JSON Schema says it lives; config files may point `$schema` at it. */
export const CONFIG_SCHEMA_ID = "https://flotilla.dev/schemas/config.schema.json";

/** The JSON Schema of a config file (the input side: what a person writes), for editors. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ConfigSchema, { io: "input", unrepresentable: "any", reused: "ref" }) as Record<
    string,
    unknown
  >;
  return {
    $schema: schema.$schema,
    $id: CONFIG_SCHEMA_ID,
    title: "Flotilla configuration",
    description:
      "Flotilla's config file: ~/.config/flotilla/config.{yaml,yml,json} and <project>/.flotilla/config.{yaml,yml,json}.",
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== "$schema")),
  };
}
