/**
 * Issue 20: ONVIF notifications as the `onvif` client hands them to the agent (topic text and the
 * parsed `message.message`, SimpleItem attributes under `$`), table-driven: tamper and video loss
 * become camera-loss family alarms, motion is recognized and stays an event, others are ignored.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALARM_TYPES, CAMERA_CONDITION_ALARMS, classifyOnvifEvent } from '../../src/index.js';

const msg = (items: Array<[string, unknown]>) => ({
  $: { UtcTime: '2026-12-02T05:00:00Z', PropertyOperation: 'Changed' },
  source: { simpleItem: { $: { Name: 'VideoSourceConfigurationToken', Value: 'vsc-1' } } },
  data: {
    simpleItem:
      items.length === 1
        ? { $: { Name: items[0][0], Value: items[0][1] } }
        : items.map(([Name, Value]) => ({ $: { Name, Value } })),
  },
});

test('ONVIF topics map to tamper, video loss and motion, with their state', () => {
  const rows: Array<[string, unknown, ReturnType<typeof classifyOnvifEvent>]> = [
    ['tns1:VideoSource/GlobalSceneChange/ImagingService', msg([['State', true]]), { kind: 'tamper', active: true }],
    ['tns1:VideoSource/GlobalSceneChange/ImagingService', msg([['State', 'false']]), { kind: 'tamper', active: false }],
    ['tns1:VideoSource/GlobalSceneChange/AnalyticsService', msg([['State', 'true']]), { kind: 'tamper', active: true }],
    // A vendor prefix other than tns1, and the parser's boolean.
    ['ns2:VideoSource/ns2:SignalLoss', msg([['State', true]]), { kind: 'video-loss', active: true }],
    ['tns1:VideoSource/SignalLoss', msg([['State', false]]), { kind: 'video-loss', active: false }],
    ['tns1:VideoSource/MotionAlarm', msg([['State', true]]), { kind: 'motion', active: true }],
    ['tns1:RuleEngine/CellMotionDetector/Motion', msg([['IsMotion', 'true']]), { kind: 'motion', active: true }],
    // No state item: the notification itself says the condition is there.
    ['tns1:VideoSource/SignalLoss', {}, { kind: 'video-loss', active: true }],
    ['tns1:Device/Trigger/DigitalInput', msg([['LogicalState', true]]), undefined],
    ['tns1:VideoSource/ImageTooDark/ImagingService', msg([['State', true]]), undefined],
  ];
  for (const [topic, data, want] of rows) assert.deepEqual(classifyOnvifEvent(topic, data), want, topic);
});

test('every camera condition raises an alarm type of the vocabulary', () => {
  for (const { type } of Object.values(CAMERA_CONDITION_ALARMS))
    assert.ok((ALARM_TYPES as readonly string[]).includes(type), type);
});
