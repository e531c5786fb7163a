import { render } from 'preact';
import { App } from './app.tsx';
import './styles/base.css';
import './styles/controls.css';
import './styles/frame.css';
import './styles/board.css';
import './styles/queue.css';
import './styles/detail.css';
import './styles/side.css';
import './styles/reports.css';

render(<App />, document.getElementById('app')!);
