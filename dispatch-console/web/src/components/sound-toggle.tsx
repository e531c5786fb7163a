import { useT } from '../i18n/index.ts';
import { enableAudio, setSoundOn, sound } from '../state/sound-alert.ts';
import { useStore } from '../state/store.ts';

/**
 * The alarm sound's mute toggle, and while the browser holds the sound back (no click on the
 * page since it loaded) a hint to click: a console that cannot sound must say so.
 */
export function SoundToggle() {
  const { t } = useT();
  const { on, audio, lastTone } = useStore(sound, (s) => s);
  const held = on && (audio === 'idle' || audio === 'suspended');
  return (
    <>
      {held && (
        <button type="button" class="sound-hint" data-testid="sound-hint" onClick={enableAudio}>
          {t('sound.blocked')}
        </button>
      )}
      {on && audio === 'unsupported' && (
        <span class="sound-hint" data-testid="sound-hint">
          {t('sound.unsupported')}
        </span>
      )}
      <button
        type="button"
        class={on ? 'sound-toggle' : 'sound-toggle sound-off'}
        data-testid="sound-toggle"
        aria-pressed={on ? 'true' : 'false'}
        title={t(on ? 'sound.onTitle' : 'sound.offTitle')}
        data-audio={audio}
        data-last-tone={lastTone ?? undefined}
        onClick={() => setSoundOn(!on)}
      >
        <Bell muted={!on} /> {t('sound.label')}
      </button>
    </>
  );
}

// drawn, not an emoji: a control-room PC may have no emoji font
function Bell({ muted }: { muted: boolean }) {
  return (
    <svg class="sound-icon" viewBox="0 0 24 24" width="14" height="14" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
      <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
      <path d="M10 21a2.2 2.2 0 0 0 4 0" />
      {muted && <path d="M3 3l18 18" />}
    </svg>
  );
}
