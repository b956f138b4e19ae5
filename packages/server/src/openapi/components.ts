import { z } from "zod";
import {
  CleanProjectRequestSchema,
  CleanReportSchema,
  EnqueueTicketRequestSchema,
  ResumeRequestSchema,
  ResumeResultSchema,
  CleanTaskRequestSchema,
  CleanTaskResultSchema,
  ConfigFileSchema,
  ConfigValidationSchema,
  SaveConfigRequestSchema,
  CreateTaskRequestSchema,
  EventPageSchema,
  HealthSchema,
  MergeQueueSchema,
  MetricsSchema,
  PlanDetailSchema,
  PlanListSchema,
  PlanValidationSchema,
  ProjectListSchema,
  RunListSchema,
  RunPlanRequestSchema,
  SnapshotSchema,
  TaskAnswersSchema,
  TaskListSchema,
  ValidatePlanRequestSchema,
} from "@flotilla/client";
import {
  AnswerRequestSchema,
  ApproveRequestSchema,
  DenyRequestSchema,
  FollowUpRequestSchema,
  InboxListSchema,
  ReviewCommentsRequestSchema,
  TaskDiffSchema,
  TranscriptSchema,
} from "@flotilla/client";
import {
  AddProjectInputSchema,
  CiStatusSchema,
  ConfigSchema,
  ErrorBodySchema,
  FlotillaEventSchema,
  ProjectSchema,
  TaskSchema,
} from "@flotilla/protocol";
import { ProviderKeyListSchema, ProviderKeySchema, SetProviderKeyRequestSchema } from "@flotilla/client";
import { LoginLinkSchema } from "../web/login-link.js";

/**
 * The named schemas of the OpenAPI document, each from the zod schema the server validates
 * with (requests: the input side; responses: the output side).
 */
export const REQUEST_SCHEMAS = {
  AddProjectInput: AddProjectInputSchema,
  CreateTaskRequest: CreateTaskRequestSchema,
  ValidatePlanRequest: ValidatePlanRequestSchema,
  RunPlanRequest: RunPlanRequestSchema,
  SetProviderKeyRequest: SetProviderKeyRequestSchema,
  AnswerRequest: AnswerRequestSchema,
  ApproveRequest: ApproveRequestSchema,
  DenyRequest: DenyRequestSchema,
  FollowUpRequest: FollowUpRequestSchema,
  ReviewCommentsRequest: ReviewCommentsRequestSchema,
  CleanTaskRequest: CleanTaskRequestSchema,
  CleanProjectRequest: CleanProjectRequestSchema,
  EnqueueTicketRequest: EnqueueTicketRequestSchema,
  ResumeRequest: ResumeRequestSchema,
  SaveConfigRequest: SaveConfigRequestSchema,
} satisfies Record<string, z.ZodType>;

export const RESPONSE_SCHEMAS = {
  Health: HealthSchema,
  Snapshot: SnapshotSchema,
  Project: ProjectSchema,
  ProjectList: ProjectListSchema,
  Task: TaskSchema,
  TaskList: TaskListSchema,
  RunList: RunListSchema,
  TaskAnswers: TaskAnswersSchema,
  PlanValidation: PlanValidationSchema,
  PlanDetail: PlanDetailSchema,
  PlanList: PlanListSchema,
  MergeQueue: MergeQueueSchema,
  Metrics: MetricsSchema,
  Config: ConfigSchema,
  LoginLink: LoginLinkSchema,
  ProviderKey: ProviderKeySchema,
  ProviderKeyList: ProviderKeyListSchema,
  InboxList: InboxListSchema,
  TaskDiff: TaskDiffSchema,
  Transcript: TranscriptSchema,
  ConfigFile: ConfigFileSchema,
  ConfigValidation: ConfigValidationSchema,
  CleanTaskResult: CleanTaskResultSchema,
  CleanReport: CleanReportSchema,
  ResumeResult: ResumeResultSchema,
  CiStatus: CiStatusSchema,
  EventPage: EventPageSchema,
  FlotillaEvent: FlotillaEventSchema,
  ErrorBody: ErrorBodySchema,
} satisfies Record<string, z.ZodType>;

export type RequestName = keyof typeof REQUEST_SCHEMAS;
export type ResponseName = keyof typeof RESPONSE_SCHEMAS;

/** `components.schemas`: JSON Schema 2020-12, as OpenAPI 3.1 uses. */
export function componentSchemas(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const convert = (schema: z.ZodType, io: "input" | "output") => {
    const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<
      string,
      unknown
    >;
    return rest;
  };
  for (const [name, schema] of Object.entries(REQUEST_SCHEMAS)) out[name] = convert(schema, "input");
  for (const [name, schema] of Object.entries(RESPONSE_SCHEMAS)) out[name] = convert(schema, "output");
  return out;
}
