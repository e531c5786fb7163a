import { render } from 'preact';
import { App } from './app.tsx';
import { installAudioUnlock } from './state/sound-alert.ts';
import './styles/base.css';
import './styles/controls.css';
import './styles/frame.css';
import './styles/board.css';
import './styles/queue.css';
import './styles/detail.css';
import './styles/side.css';
import './styles/reports.css';
import './styles/audit.css';
import './styles/setup.css';
import './styles/import.css';
import './styles/admin.css';
import './styles/record.css';
import './styles/duty.css';

// before the login form: its click is the gesture that lets the alarm sound play
installAudioUnlock();
render(<App />, document.getElementById('app')!);
