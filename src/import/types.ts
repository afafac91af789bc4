/** What an import produces: a plain FargateService document, what could not be carried, and notes. Pure. */
import type { JsonRecord } from "../crds/values.js";

/** Something of the input the document does not carry: `path` names the INPUT field. */
export interface ImportLoss {
  path: string;
  why: string;
}

/** ECS definitions as read from files or AWS, before conversion. */
export interface EcsInput {
  /** RegisterTaskDefinition input (or describe output) of the task definition. */
  taskDefinition: JsonRecord;
  /** Tags of the task definition (describe output's `tags`, or the input's own). */
  taskDefinitionTags?: unknown;
  /** CreateService input (or describe output) of the service, when one was given. */
  service?: JsonRecord;
  /** Cloud Map discovery read from AWS for the service's registry (live import only). */
  cloudMap?: LiveCloudMap;
  /** The service's Application Auto Scaling, as `aws application-autoscaling describe-*` print it (live only). */
  autoscaling?: LiveAutoscaling;
}

/** A scalable target (`ecs:service:DesiredCount`) with its scaling policies and scheduled actions, as AWS describes them. */
export interface LiveAutoscaling {
  scalableTarget: JsonRecord;
  scalingPolicies: JsonRecord[];
  scheduledActions: JsonRecord[];
}

/** The Cloud Map service and namespace behind a service registry, as read live. */
export interface LiveCloudMap {
  registryArn: string;
  namespaceName: string;
  serviceName: string;
  dnsTtl?: number;
  records: string[];
  port?: number;
}

/** Options of a conversion. */
export interface ImportOptions {
  namespace?: string;
  name?: string;
  accountId?: string;
  /** Read from AWS: the document says `adopt: true`, and the ECS service must be found under our name. */
  live?: boolean;
  /** Region used to render for the round trip. */
  region?: string;
}

/** The outcome of an import. */
export interface ImportResult {
  document: JsonRecord;
  losses: ImportLoss[];
  /** Things the user should know that lose nothing (printed as `note: …`). */
  notes: string[];
}
