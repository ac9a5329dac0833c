import { InitialSchema1764547200000 } from './1764547200000-initial-schema';
import { AssistantPrivacyAndAgents1765065600000 } from './1765065600000-assistant-privacy-and-agents';

export const ASSISTANT_MIGRATIONS = [InitialSchema1764547200000, AssistantPrivacyAndAgents1765065600000];
